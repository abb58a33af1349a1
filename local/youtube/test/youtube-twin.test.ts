import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { auth, youtube } from '@googleapis/youtube';
import { CHUNK_GRANULARITY, type ChannelCredentials, type LocalYouTube, startLocalYouTube } from '../src';

/**
 * The YouTube twin as the real @googleapis/youtube client (its OAuth2 client and its API surface)
 * sees it: token refresh, expiring tokens, revoked consent, the resumable upload protocol with 308 and
 * a resume after a broken connection, quota and rate-limit errors in Google's format, and the
 * metadata checks of videos.insert.
 */
const run = promisify(execFile);
const UPLOAD_PATH = '/upload/youtube/v3/videos';
const METADATA = {
  snippet: {
    title: 'A lighthouse at dawn',
    description: 'Made by Reelay',
    tags: ['reelay', 'sea light'],
    categoryId: '22',
  },
  status: { privacyStatus: 'private' },
};

let twin: LocalYouTube;
let credentials: ChannelCredentials;

beforeEach(async () => {
  twin = await startLocalYouTube();
  credentials = twin.createCredentials();
});
afterEach(async () => {
  await twin.close();
});

/**
 * gaxios loads node-fetch by a dynamic import, which jest's CommonJS sandbox refuses; Node's own fetch
 * is what it uses instead (the publisher passes it too).
 */
const transporterOptions = { fetchImplementation: fetch };

/**
 * `forceRefreshOnFailure`: the client otherwise trusts its own clock for a token's expiry and never
 * refreshes on a 401; the twin's clock is moved ahead of it, so its tokens expire early (as a token
 * revoked or expired by Google's clock would).
 */
function oauthClient({ forceRefreshOnFailure = false } = {}) {
  const client = new auth.OAuth2({
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    endpoints: { oauth2TokenUrl: twin.tokenUrl },
    transporterOptions,
    forceRefreshOnFailure,
  });
  client.setCredentials({ refresh_token: credentials.refreshToken });
  return client;
}

type OAuthClient = ReturnType<typeof oauthClient>;

async function startSession(client: OAuthClient, totalBytes: number, metadata: unknown = METADATA) {
  return client.request({
    url: `${twin.url}${UPLOAD_PATH}`,
    method: 'POST',
    params: { uploadType: 'resumable', part: 'snippet,status' },
    headers: { 'X-Upload-Content-Length': String(totalBytes), 'X-Upload-Content-Type': 'video/mp4' },
    data: metadata,
    validateStatus: () => true,
  });
}

function putBytes(client: OAuthClient, sessionUri: string, bytes: Buffer, first: number, total: number) {
  return client.request({
    url: sessionUri,
    method: 'PUT',
    headers: {
      'Content-Range': `bytes ${first}-${first + bytes.length - 1}/${total}`,
      'Content-Type': 'video/mp4',
    },
    data: bytes,
    validateStatus: () => true,
  });
}

function statusQuery(client: OAuthClient, sessionUri: string, total: number) {
  return client.request({
    url: sessionUri,
    method: 'PUT',
    headers: { 'Content-Range': `bytes */${total}` },
    validateStatus: () => true,
  });
}

function googleReason(data: unknown): string | undefined {
  return (data as { error?: { errors?: { reason?: string }[] } }).error?.errors?.[0]?.reason;
}

describe('OAuth 2.0 token endpoint', () => {
  it('issues an access token for a refresh token, and the API accepts it', async () => {
    // Prepare
    const client = oauthClient();
    const api = youtube({ version: 'v3', auth: client, rootUrl: `${twin.url}/` });

    // Act
    const listed = await api.videos.list({ part: ['snippet'], id: ['nothing'] });

    // Assess
    expect(listed.status).toBe(200);
    expect(listed.data.kind).toBe('youtube#videoListResponse');
    expect(twin.tokenRequests()).toEqual([{ clientId: credentials.clientId, outcome: 'issued' }]);
  });

  it('refuses a revoked refresh token with invalid_grant', async () => {
    // Prepare
    twin.revoke(credentials.refreshToken);

    // Act
    const refused = await oauthClient()
      .getAccessToken()
      .catch((error: unknown) => error);

    // Assess
    expect((refused as { response?: { status: number; data: unknown } }).response?.status).toBe(400);
    expect((refused as { response: { data: unknown } }).response.data).toEqual({
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
  });

  it('refuses a wrong client secret with invalid_client', async () => {
    // Prepare
    const client = new auth.OAuth2({
      clientId: credentials.clientId,
      clientSecret: 'GOCSPX-wrong',
      endpoints: { oauth2TokenUrl: twin.tokenUrl },
      transporterOptions,
    });
    client.setCredentials({ refresh_token: credentials.refreshToken });

    // Act
    const refused = await client.getAccessToken().catch((error: unknown) => error);

    // Assess
    expect((refused as { response: { status: number; data: { error: string } } }).response.status).toBe(401);
    expect((refused as { response: { data: { error: string } } }).response.data.error).toBe('invalid_client');
  });

  it('lets an access token expire: the API answers 401 and the client refreshes and retries', async () => {
    // Prepare
    const client = oauthClient({ forceRefreshOnFailure: true });
    const api = youtube({ version: 'v3', auth: client, rootUrl: `${twin.url}/` });
    await api.videos.list({ part: ['id'], id: ['x'] });
    twin.clock.advance(3600 * 1000);

    // Act
    const listed = await api.videos.list({ part: ['id'], id: ['x'] });

    // Assess
    expect(listed.status).toBe(200);
    expect(twin.tokenRequests().map((request) => request.outcome)).toEqual(['issued', 'issued']);
  });

  it('answers a request without a token with 401 in Google error format', async () => {
    // Act
    const response = await fetch(`${twin.url}/youtube/v3/videos?part=id&id=x`);

    // Assess
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { code: number; errors: { reason: string }[] } };
    expect(body.error.code).toBe(401);
    expect(body.error.errors[0]?.reason).toBe('required');
  });
});

describe('videos.insert by resumable upload', () => {
  it('takes the bytes in 256 KiB chunks with 308 Resume Incomplete, then 201 with the video', async () => {
    // Prepare
    const client = oauthClient();
    const bytes = randomBytes(CHUNK_GRANULARITY * 2 + 1000);
    const session = await startSession(client, bytes.length);
    const sessionUri = session.headers.get('location') ?? '';

    // Act
    const first = await putBytes(client, sessionUri, bytes.subarray(0, CHUNK_GRANULARITY), 0, bytes.length);
    const second = await putBytes(
      client,
      sessionUri,
      bytes.subarray(CHUNK_GRANULARITY, 2 * CHUNK_GRANULARITY),
      CHUNK_GRANULARITY,
      bytes.length,
    );
    const last = await putBytes(
      client,
      sessionUri,
      bytes.subarray(2 * CHUNK_GRANULARITY),
      2 * CHUNK_GRANULARITY,
      bytes.length,
    );

    // Assess
    expect(session.status).toBe(200);
    expect(sessionUri).toContain('upload_id=');
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${CHUNK_GRANULARITY - 1}`);
    expect(second.status).toBe(308);
    expect(second.headers.get('range')).toBe(`bytes=0-${2 * CHUNK_GRANULARITY - 1}`);
    expect(last.status).toBe(201);
    const video = last.data as {
      id: string;
      kind: string;
      snippet: { title: string };
      status: { privacyStatus: string };
    };
    expect(video.kind).toBe('youtube#video');
    expect(video.snippet.title).toBe('A lighthouse at dawn');
    expect(video.status.privacyStatus).toBe('private');
    const [stored] = twin.videos();
    expect(stored?.id).toBe(video.id);
    expect(Buffer.compare(await readFile(stored?.file ?? ''), bytes)).toBe(0);
  });

  it('refuses a chunk that is not the last and not a multiple of 256 KiB', async () => {
    // Prepare
    const client = oauthClient();
    const bytes = randomBytes(CHUNK_GRANULARITY + 10);
    const sessionUri = (await startSession(client, bytes.length)).headers.get('location') ?? '';

    // Act
    const refused = await putBytes(client, sessionUri, bytes.subarray(0, 1000), 0, bytes.length);

    // Assess
    expect(refused.status).toBe(400);
    expect(googleReason(refused.data)).toBe('invalidChunkSize');
  });

  it('keeps what arrived before a broken connection; a status query says where to resume, and the upload resumes there', async () => {
    // Prepare
    const client = oauthClient();
    const bytes = randomBytes(CHUNK_GRANULARITY + 5000);
    const sessionUri = (await startSession(client, bytes.length)).headers.get('location') ?? '';
    twin.faults.breakNextUpload({ afterBytes: 100_000 });
    const broken = await putBytes(client, sessionUri, bytes, 0, bytes.length).catch(
      (error: unknown) => error,
    );

    // Act
    const query = await statusQuery(client, sessionUri, bytes.length);
    const kept = Number(/bytes=0-(\d+)/.exec(query.headers.get('range') ?? '')?.[1]) + 1;
    const rest = await putBytes(client, sessionUri, bytes.subarray(kept), kept, bytes.length);

    // Assess
    expect(broken).toBeInstanceOf(Error);
    expect(query.status).toBe(308);
    expect(kept).toBe(100_000);
    expect(rest.status).toBe(201);
    expect(Buffer.compare(await readFile(twin.videos()[0]?.file ?? ''), bytes)).toBe(0);
    expect(twin.uploadSessions()[0]?.chunkStarts).toEqual([0, 100_000]);
  });

  it('answers a status query on a finished upload with the video', async () => {
    // Prepare
    const client = oauthClient();
    const bytes = randomBytes(2000);
    const sessionUri = (await startSession(client, bytes.length)).headers.get('location') ?? '';
    await putBytes(client, sessionUri, bytes, 0, bytes.length);

    // Act
    const query = await statusQuery(client, sessionUri, bytes.length);

    // Assess
    expect(query.status).toBe(200);
    expect((query.data as { id: string }).id).toBe(twin.videos()[0]?.id);
  });

  it('refuses a chunk that starts past what was received', async () => {
    // Prepare
    const client = oauthClient();
    const bytes = randomBytes(3000);
    const sessionUri = (await startSession(client, bytes.length)).headers.get('location') ?? '';

    // Act
    const refused = await putBytes(client, sessionUri, bytes.subarray(1000), 1000, bytes.length);

    // Assess
    expect(refused.status).toBe(400);
    expect(googleReason(refused.data)).toBe('invalidRange');
  });

  it.each([
    [
      'a title over 100 characters',
      { ...METADATA, snippet: { ...METADATA.snippet, title: 'x'.repeat(101) } },
      'invalidTitle',
    ],
    [
      'a title with < or >',
      { ...METADATA, snippet: { ...METADATA.snippet, title: 'a <b> c' } },
      'invalidTitle',
    ],
    ['an empty title', { ...METADATA, snippet: { ...METADATA.snippet, title: ' ' } }, 'invalidTitle'],
    [
      'a description over 5000 bytes',
      { ...METADATA, snippet: { ...METADATA.snippet, description: 'é'.repeat(2501) } },
      'invalidDescription',
    ],
    [
      'tags over 500 characters',
      { ...METADATA, snippet: { ...METADATA.snippet, tags: ['a b'.repeat(100), 'c'.repeat(200)] } },
      'invalidTags',
    ],
    [
      'an unknown category',
      { ...METADATA, snippet: { ...METADATA.snippet, categoryId: '18' } },
      'invalidCategoryId',
    ],
    [
      'an unknown privacy status',
      { ...METADATA, status: { privacyStatus: 'secret' } },
      'invalidVideoMetadata',
    ],
  ])('refuses %s with 400 %s', async (_case, metadata, reason) => {
    // Act
    const refused = await startSession(oauthClient(), 1000, metadata);

    // Assess
    expect(refused.status).toBe(400);
    expect(googleReason(refused.data)).toBe(reason);
    expect(twin.quota.usedToday(credentials.clientId)).toBe(0);
  });
});

describe('quota and rate limits', () => {
  it('charges 1600 units per insert and refuses the one past the daily limit with 403 quotaExceeded', async () => {
    // Prepare
    twin.quota.setDailyLimit(3200);
    const client = oauthClient();
    await startSession(client, 100);
    await startSession(client, 100);

    // Act
    const refused = await startSession(client, 100);

    // Assess
    expect(refused.status).toBe(403);
    expect(googleReason(refused.data)).toBe('quotaExceeded');
    expect((refused.data as { error: { errors: { domain: string }[] } }).error.errors[0]?.domain).toBe(
      'youtube.quota',
    );
    expect(twin.quota.usedToday(credentials.clientId)).toBe(3200);
  });

  it('gives the quota back the next Pacific day', async () => {
    // Prepare
    twin.quota.exhaust(credentials.clientId);
    expect((await startSession(oauthClient(), 100)).status).toBe(403);
    twin.clock.advance(24 * 3600 * 1000);

    // Act
    const started = await startSession(oauthClient(), 100);

    // Assess
    expect(started.status).toBe(200);
  });

  it('answers an armed rate limit with 403 rateLimitExceeded once, then serves again', async () => {
    // Prepare
    const client = oauthClient();
    twin.faults.rateLimitNext();

    // Act
    const limited = await startSession(client, 100);
    const next = await startSession(client, 100);

    // Assess
    expect(limited.status).toBe(403);
    expect(googleReason(limited.data)).toBe('rateLimitExceeded');
    expect(next.status).toBe(200);
  });
});

describe('the client library surface', () => {
  it('uploads with videos.insert (multipart) and lists the video with videos.list; the stored file is the video', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'youtube-twin-'));
    const file = join(dir, 'clip.mp4');
    await run('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=10',
      '-t',
      '1',
      '-pix_fmt',
      'yuv420p',
      file,
    ]);
    const api = youtube({ version: 'v3', auth: oauthClient(), rootUrl: `${twin.url}/` });

    try {
      // Act
      const inserted = await api.videos.insert(
        {
          part: ['snippet', 'status'],
          requestBody: METADATA,
          media: { mimeType: 'video/mp4', body: Readable.from(await readFile(file)) },
        },
        { rootUrl: `${twin.url}/` },
      );
      const listed = await api.videos.list({ part: ['snippet', 'status'], id: [inserted.data.id ?? ''] });

      // Assess
      expect(listed.data.items?.[0]?.snippet?.tags).toEqual(['reelay', 'sea light']);
      const stored = twin.videos()[0];
      const { stdout } = await run('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=width,height',
        '-of',
        'csv=p=0',
        stored?.file ?? '',
      ]);
      expect(stdout.trim()).toBe('320,240');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
