import { auth } from '@googleapis/youtube';
import {
  DestinationAuthError,
  DestinationQuotaExceededError,
  DestinationRejectedError,
  DestinationUnavailableError,
  type PublishError,
} from './publish-errors';
import type { YouTubeMetadata } from './youtube-metadata';

/** Google's endpoints; the embedded cloud points them at local/youtube (YOUTUBE_API_URL, YOUTUBE_OAUTH_TOKEN_URL). */
export const GOOGLE_ENDPOINTS = {
  apiUrl: 'https://www.googleapis.com',
  tokenUrl: 'https://oauth2.googleapis.com/token',
} as const;

/** Chunks must be multiples of 256 KiB (but the last); 8 MiB keeps a Lambda's memory small. */
export const CHUNK_UNIT = 256 * 1024;
export const DEFAULT_CHUNK_BYTES = 32 * CHUNK_UNIT;

/** Where an upload stands, kept durable by the caller so a redelivered message resumes the same session. */
export interface UploadCheckpoint {
  sessionUri: string;
}

export interface UploadCheckpointStore {
  load(): Promise<UploadCheckpoint | undefined>;
  save(checkpoint: UploadCheckpoint): Promise<void>;
}

export interface YouTubeUploadInput {
  credentials: { clientId: string; clientSecret: string; refreshToken: string };
  metadata: YouTubeMetadata & { privacyStatus: 'private' | 'unlisted' | 'public'; categoryId?: string };
  /** The video's size and a reader of any byte range of it (an S3 ranged GET in the publisher). */
  video: { bytes: number; read(start: number, endExclusive: number): Promise<Buffer> };
  checkpoints: UploadCheckpointStore;
  endpoints?: { apiUrl: string; tokenUrl: string };
  chunkBytes?: number;
  /** Attempts per invocation for transient failures, with exponential back-off between them. */
  retry?: { attempts: number; baseDelayMs: number; sleep?: (ms: number) => Promise<void> };
}

export interface YouTubeUploadResult {
  videoId: string;
  url: string;
}

type OAuthClient = InstanceType<typeof auth.OAuth2>;
type UploadStep = { done: true; videoId: string } | { done: false; offset: number };

/**
 * Uploads a video with YouTube's resumable protocol through the official client's OAuth2 client (its
 * token refresh and authenticated transport). The node client has no resumable upload of its own
 * (googleapis/google-api-nodejs-client#276: videos.insert sends one multipart request, which restarts
 * from byte 0 after any break), so the protocol is spoken here: a session, chunks with Content-Range,
 * 308 with the Range kept, and a status query (`bytes *\/N`) to learn where to resume after a break.
 * The session URI is saved before the first byte, so a redelivered message resumes instead of
 * starting over (and is never charged 1600 quota units twice).
 */
export async function uploadToYouTube(input: YouTubeUploadInput): Promise<YouTubeUploadResult> {
  const endpoints = input.endpoints ?? GOOGLE_ENDPOINTS;
  const chunkBytes = input.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (chunkBytes % CHUNK_UNIT !== 0) throw new Error(`chunkBytes must be a multiple of ${CHUNK_UNIT}`);
  const client = new auth.OAuth2({
    clientId: input.credentials.clientId,
    clientSecret: input.credentials.clientSecret,
    endpoints: { oauth2TokenUrl: endpoints.tokenUrl },
    // Node's fetch: gaxios's fallback is a dynamic import of node-fetch.
    transporterOptions: { fetchImplementation: fetch },
    // A token the server says is expired is refreshed even when the client's clock thinks it is not.
    forceRefreshOnFailure: true,
  });
  client.setCredentials({ refresh_token: input.credentials.refreshToken });
  const retry = input.retry ?? { attempts: 5, baseDelayMs: 500 };
  const sleep = retry.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  let lastTransient: unknown;
  for (let attempt = 0; attempt < retry.attempts; attempt += 1) {
    if (attempt > 0) await sleep(retry.baseDelayMs * 2 ** (attempt - 1));
    try {
      const videoId = await uploadOnce(client, input, endpoints, chunkBytes);
      return { videoId, url: `https://www.youtube.com/watch?v=${videoId}` };
    } catch (error) {
      const classified = classifyYouTubeError(error);
      if (!classified.retryable) throw classified;
      lastTransient = error;
    }
  }
  throw new DestinationUnavailableError(
    `YouTube stayed unavailable after ${retry.attempts} attempts: ${describe(lastTransient)}`,
    { cause: lastTransient },
  );
}

async function uploadOnce(
  client: OAuthClient,
  input: YouTubeUploadInput,
  endpoints: { apiUrl: string },
  chunkBytes: number,
): Promise<string> {
  const total = input.video.bytes;
  const saved = await input.checkpoints.load();
  let sessionUri = saved?.sessionUri;
  let step: UploadStep = { done: false, offset: 0 };
  if (sessionUri) {
    const resumed = await queryStatus(client, sessionUri, total);
    if (resumed === 'expired') sessionUri = undefined;
    else step = resumed;
  }
  if (!sessionUri) {
    sessionUri = await startSession(client, input, endpoints.apiUrl);
    await input.checkpoints.save({ sessionUri });
  }
  while (!step.done) {
    const end = Math.min(step.offset + chunkBytes, total);
    const chunk = await input.video.read(step.offset, end);
    step = await putChunk(client, sessionUri, chunk, step.offset, total);
  }
  return step.videoId;
}

async function startSession(client: OAuthClient, input: YouTubeUploadInput, apiUrl: string): Promise<string> {
  const response = await client.request({
    url: `${apiUrl}/upload/youtube/v3/videos`,
    method: 'POST',
    params: { uploadType: 'resumable', part: 'snippet,status' },
    headers: {
      'Content-Type': 'application/json; charset=UTF-8',
      'X-Upload-Content-Length': String(input.video.bytes),
      'X-Upload-Content-Type': 'video/mp4',
    },
    data: {
      snippet: {
        title: input.metadata.title,
        description: input.metadata.description,
        tags: input.metadata.tags,
        categoryId: input.metadata.categoryId ?? '22',
      },
      status: { privacyStatus: input.metadata.privacyStatus, selfDeclaredMadeForKids: false },
    },
  });
  const location = response.headers.get('location');
  if (!location)
    throw new DestinationUnavailableError('YouTube started an upload session without a Location');
  return location;
}

async function queryStatus(
  client: OAuthClient,
  sessionUri: string,
  total: number,
): Promise<UploadStep | 'expired'> {
  const response = await client.request({
    url: sessionUri,
    method: 'PUT',
    headers: { 'Content-Range': `bytes */${total}` },
    validateStatus: (status) =>
      status === 200 || status === 201 || status === 308 || status === 404 || status === 410,
  });
  if (response.status === 404 || response.status === 410) return 'expired';
  return stepOf(response.status, response.headers.get('range'), response.data);
}

async function putChunk(
  client: OAuthClient,
  sessionUri: string,
  chunk: Buffer,
  offset: number,
  total: number,
): Promise<UploadStep> {
  const response = await client.request({
    url: sessionUri,
    method: 'PUT',
    headers: {
      'Content-Range': `bytes ${offset}-${offset + chunk.length - 1}/${total}`,
      'Content-Type': 'video/mp4',
    },
    data: chunk,
    validateStatus: (status) => (status >= 200 && status < 300) || status === 308,
  });
  return stepOf(response.status, response.headers.get('range'), response.data);
}

function stepOf(status: number, range: string | null, data: unknown): UploadStep {
  if (status === 308) {
    const last = range ? Number(/bytes=0-(\d+)/.exec(range)?.[1]) : -1;
    return { done: false, offset: Number.isFinite(last) ? last + 1 : 0 };
  }
  const videoId = (data as { id?: unknown }).id;
  if (typeof videoId !== 'string')
    throw new DestinationUnavailableError(`YouTube answered ${status} without a video id`);
  return { done: true, videoId };
}

interface GoogleErrorShape {
  status?: number;
  response?: { status?: number; data?: unknown };
}

/**
 * Google's answer → a PublishError: quotaExceeded stops the destination for the day; rateLimitExceeded,
 * 5xx, 429 and a connection that broke without an answer are transient; invalid_grant, invalid_client
 * and 401 are auth; any other 4xx is a rejection.
 */
export function classifyYouTubeError(error: unknown): PublishError {
  if (error instanceof DestinationUnavailableError) return error;
  const shaped = error as GoogleErrorShape;
  const status = shaped.response?.status;
  const data = shaped.response?.data as
    | { error?: string | { errors?: { reason?: string }[]; message?: string }; error_description?: string }
    | undefined;
  const message = describe(error);
  if (status === undefined) return new DestinationUnavailableError(message, { cause: error });
  const oauthError = typeof data?.error === 'string' ? data.error : undefined;
  const reason = typeof data?.error === 'object' ? data.error.errors?.[0]?.reason : undefined;
  if (
    oauthError === 'invalid_grant' ||
    oauthError === 'invalid_client' ||
    oauthError === 'unauthorized_client' ||
    status === 401
  ) {
    return new DestinationAuthError(message, { cause: error });
  }
  if (reason === 'quotaExceeded' || reason === 'dailyLimitExceeded' || reason === 'uploadLimitExceeded') {
    return new DestinationQuotaExceededError(message, { cause: error });
  }
  if (
    reason === 'rateLimitExceeded' ||
    reason === 'userRateLimitExceeded' ||
    status === 429 ||
    status >= 500
  ) {
    return new DestinationUnavailableError(message, { cause: error });
  }
  return new DestinationRejectedError(message, { cause: error });
}

function describe(error: unknown): string {
  const shaped = error as GoogleErrorShape & { message?: string };
  const data = shaped.response?.data as
    | { error?: string | { message?: string }; error_description?: string }
    | undefined;
  if (typeof data?.error === 'object' && data.error.message) return data.error.message;
  if (typeof data?.error === 'string') return `${data.error}: ${data.error_description ?? ''}`.trim();
  return shaped.message ?? String(error);
}
