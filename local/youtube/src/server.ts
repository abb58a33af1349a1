import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TwinClock } from './clock';
import { YouTubeFaults } from './faults';
import { badRequest, GoogleApiError, sendGoogleError, sendJson } from './google-errors';
import { parseMultipartRelated } from './multipart';
import { type ChannelCredentials, OAuthAuthority } from './oauth';
import { DEFAULT_DAILY_QUOTA, QuotaLedger } from './quota';
import { drain, isVideoType, ResumableUploads, type UploadSessionView } from './resumable-uploads';
import { parseParts, validateVideoResource } from './video-metadata';
import { presentVideo, type StoredVideo, VideoStore } from './video-store';

export interface LocalYouTubeOptions {
  /** 0 (the default) picks a free port on 127.0.0.1. */
  port?: number;
  /** Where uploaded videos are kept (kept across restarts); a temporary folder removed on close otherwise. */
  workDir?: string;
  /** Quota units per project per Pacific day (default 10,000: six uploads at 1,600 units each). */
  dailyQuota?: number;
  /** How long an access token works (default 3599 s, as Google's). */
  accessTokenTtlSec?: number;
  /** Milliseconds since the epoch (default Date.now); `clock.advance` moves the twin's time on top. */
  now?: () => number;
}

export interface LocalYouTube {
  /** The client's rootUrl: `youtube({ version: 'v3', rootUrl: url + '/' })`. */
  url: string;
  /** The OAuth 2.0 token endpoint (Google's https://oauth2.googleapis.com/token). */
  tokenUrl: string;
  /** A new OAuth client with a consented channel and its refresh token. */
  createCredentials(): ChannelCredentials;
  /** Withdraws a refresh token (the user revoked access): its refreshes get invalid_grant. */
  revoke(token: string): boolean;
  faults: YouTubeFaults;
  clock: TwinClock;
  /** Quota units a project has spent today; the daily limit can be changed at any time. */
  quota: {
    usedToday(clientId: string): number;
    setDailyLimit(units: number): void;
    exhaust(clientId: string): void;
  };
  /** Every video uploaded, oldest first, with the file holding its bytes. */
  videos(): StoredVideo[];
  uploadSessions(): UploadSessionView[];
  /** Token requests and their outcomes ('issued' or the OAuth error). */
  tokenRequests(): readonly { clientId: string; outcome: string }[];
  close(): Promise<void>;
}

const MAX_MULTIPART_BYTES = 64 * 1024 * 1024;

/**
 * Starts the YouTube Data API v3 twin (what Reelay's publisher uses of it: the OAuth token endpoint,
 * videos.insert by resumable or multipart upload, videos.list by id), as strict as YouTube for those.
 */
export async function startLocalYouTube(options: LocalYouTubeOptions = {}): Promise<LocalYouTube> {
  const ownDir = options.workDir ? undefined : mkdtempSync(join(tmpdir(), 'reelay-youtube-'));
  const workDir = options.workDir ?? (ownDir as string);
  const clock = new TwinClock(options.now);
  const oauth = new OAuthAuthority(clock, options.accessTokenTtlSec ?? 3599);
  const quota = new QuotaLedger(clock, options.dailyQuota ?? DEFAULT_DAILY_QUOTA);
  const faults = new YouTubeFaults();
  const store = new VideoStore(join(workDir, 'videos'));
  const uploads = new ResumableUploads(store, faults, clock);
  let origin = '';
  const server = createServer((request, response) => {
    route({ oauth, quota, faults, store, uploads, clock, origin }, request, response).catch(
      (error: unknown) => {
        if (response.headersSent || response.destroyed) return;
        if (error instanceof GoogleApiError) {
          sendGoogleError(response, error);
          return;
        }
        sendGoogleError(response, new GoogleApiError(500, 'internalError', String(error), 'global'));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    tokenUrl: `${origin}/token`,
    createCredentials: () => oauth.createCredentials(),
    revoke: (token) => oauth.revoke(token),
    faults,
    clock,
    quota: {
      usedToday: (clientId) => quota.usedToday(clientId),
      setDailyLimit: (units) => {
        quota.dailyLimit = units;
      },
      exhaust: (clientId) => quota.exhaust(clientId),
    },
    videos: () => store.all(),
    uploadSessions: () => uploads.sessionViews(),
    tokenRequests: () => oauth.tokenRequests,
    close: async () => {
      await closeServer(server);
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

interface Twin {
  oauth: OAuthAuthority;
  quota: QuotaLedger;
  faults: YouTubeFaults;
  store: VideoStore;
  uploads: ResumableUploads;
  clock: TwinClock;
  origin: string;
}

async function route(twin: Twin, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://twin');
  const method = request.method ?? 'GET';
  if (method === 'POST' && url.pathname === '/token') {
    twin.oauth.handleTokenRequest(
      new URLSearchParams((await readBody(request, 64 * 1024)).toString('utf8')),
      response,
    );
    return;
  }
  if (method === 'POST' && url.pathname === '/revoke') {
    const token =
      url.searchParams.get('token') ??
      new URLSearchParams((await readBody(request, 64 * 1024)).toString()).get('token');
    if (token && twin.oauth.revoke(token)) sendJson(response, 200, {});
    else sendJson(response, 400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
    return;
  }
  if (url.pathname === '/upload/youtube/v3/videos' && method === 'PUT') {
    const uploadId = url.searchParams.get('upload_id');
    if (!uploadId) {
      drain(request);
      throw badRequest('required', 'Required parameter: upload_id', 'global');
    }
    const fault = twin.faults.takeError();
    if (fault) {
      drain(request);
      throw fault;
    }
    await twin.uploads.put(uploadId, request, response);
    return;
  }
  if (url.pathname === '/upload/youtube/v3/videos' && method === 'POST') {
    await insertVideo(twin, url, request, response);
    return;
  }
  if (url.pathname === '/youtube/v3/videos' && method === 'GET') {
    const fault = twin.faults.takeError();
    if (fault) throw fault;
    const caller = twin.oauth.authenticate(request);
    const parts = parseParts(url.searchParams.get('part'));
    twin.quota.charge(caller.clientId, 'videos.list');
    const ids = (url.searchParams.get('id') ?? '').split(',').filter(Boolean);
    const items = ids.flatMap((id) => {
      const video = twin.store.get(id);
      return video ? [presentVideo(video, parts)] : [];
    });
    sendJson(response, 200, {
      kind: 'youtube#videoListResponse',
      etag: 'local',
      items,
      pageInfo: { totalResults: items.length, resultsPerPage: items.length },
    });
    return;
  }
  drain(request);
  throw new GoogleApiError(404, 'notFound', `Not Found: ${method} ${url.pathname}`, 'global');
}

/** POST /upload/youtube/v3/videos: uploadType=resumable starts a session; multipart carries it all. */
async function insertVideo(
  twin: Twin,
  url: URL,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const fault = twin.faults.takeError();
  if (fault) {
    drain(request);
    throw fault;
  }
  const caller = twin.oauth.authenticate(request);
  const parts = parseParts(url.searchParams.get('part'));
  const uploadType = url.searchParams.get('uploadType');
  if (uploadType === 'resumable') {
    const body = await readBody(request, 1024 * 1024);
    const metadata = validateVideoResource(body.length === 0 ? {} : parseJson(body));
    twin.quota.charge(caller.clientId, 'videos.insert');
    twin.uploads.start(
      twin.origin,
      {
        channelId: caller.channelId,
        parts,
        metadata,
        declaredLength: header(request, 'x-upload-content-length'),
        declaredType: header(request, 'x-upload-content-type'),
      },
      response,
    );
    return;
  }
  if (uploadType === 'multipart') {
    const {
      metadata: resource,
      mediaType,
      media,
    } = parseMultipartRelated(header(request, 'content-type'), await readBody(request, MAX_MULTIPART_BYTES));
    const metadata = validateVideoResource(resource);
    if (!isVideoType(mediaType)) {
      throw badRequest('invalidContentType', `Media type '${mediaType}' is not supported.`, 'global');
    }
    if (media.length === 0)
      throw badRequest('mediaBodyRequired', 'The request does not include the video content.');
    twin.quota.charge(caller.clientId, 'videos.insert');
    const video = twin.store.add(
      {
        ...metadata,
        channelId: caller.channelId,
        publishedAt: new Date(twin.clock.now()).toISOString(),
        upload: { type: 'multipart', puts: 0, statusQueries: 0 },
      },
      media,
    );
    sendJson(response, 200, presentVideo(video, parts));
    return;
  }
  drain(request);
  throw badRequest(
    'invalidParameter',
    `uploadType must be resumable or multipart for videos.insert, not '${uploadType ?? ''}'.`,
    'global',
  );
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('parseError', 'This API does not support parsing form-encoded input.', 'global');
  }
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new GoogleApiError(413, 'uploadTooLarge', 'Request too large.', 'global');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
