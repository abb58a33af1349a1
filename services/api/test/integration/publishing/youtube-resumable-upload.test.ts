import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  type ChannelCredentials,
  type LocalYouTube,
  startLocalYouTube,
} from '../../../../../local/youtube/src';
import {
  DestinationAuthError,
  DestinationQuotaExceededError,
  DestinationUnavailableError,
} from '../../../src/publishing/publish-errors';
import { fitYouTubeMetadata } from '../../../src/publishing/youtube-metadata';
import {
  CHUNK_UNIT,
  type UploadCheckpoint,
  type UploadCheckpointStore,
  uploadToYouTube,
} from '../../../src/publishing/youtube-resumable-upload';

/**
 * The publisher's YouTube upload against the YouTube twin, through the official client's OAuth2
 * client: chunks, a break resumed where it stopped (not restarted), a redelivery that resumes the saved
 * session, quota and auth failures named, a rate limit retried.
 */
let twin: LocalYouTube;
let credentials: ChannelCredentials;
const VIDEO = randomBytes(2 * CHUNK_UNIT + 12_345);
const METADATA = {
  title: 'A lighthouse at dawn',
  description: 'Made by Reelay',
  tags: ['reelay'],
  privacyStatus: 'private' as const,
};

beforeEach(async () => {
  twin = await startLocalYouTube();
  credentials = twin.createCredentials();
});
afterEach(async () => {
  await twin.close();
});

/** A checkpoint store in memory (the publisher keeps it on the job's publication item). */
function memoryCheckpoints(): UploadCheckpointStore & { saved: UploadCheckpoint[] } {
  const saved: UploadCheckpoint[] = [];
  return {
    saved,
    load: async () => saved.at(-1),
    save: async (checkpoint) => {
      saved.push(checkpoint);
    },
  };
}

function upload(
  checkpoints: UploadCheckpointStore,
  overrides: Partial<Parameters<typeof uploadToYouTube>[0]> = {},
) {
  return uploadToYouTube({
    credentials,
    metadata: METADATA,
    video: { bytes: VIDEO.length, read: async (start, end) => VIDEO.subarray(start, end) },
    checkpoints,
    endpoints: { apiUrl: twin.url, tokenUrl: twin.tokenUrl },
    chunkBytes: CHUNK_UNIT,
    retry: { attempts: 3, baseDelayMs: 1, sleep: async () => undefined },
    ...overrides,
  });
}

it('uploads the video in 256 KiB chunks and answers its id and watch URL', async () => {
  // Prepare
  const checkpoints = memoryCheckpoints();

  // Act
  const result = await upload(checkpoints);

  // Assess
  const [video] = twin.videos();
  expect(result).toEqual({ videoId: video?.id, url: `https://www.youtube.com/watch?v=${video?.id}` });
  expect(Buffer.compare(await readFile(video?.file ?? ''), VIDEO)).toBe(0);
  expect(video?.snippet.title).toBe('A lighthouse at dawn');
  expect(twin.uploadSessions()[0]?.chunkStarts).toEqual([0, CHUNK_UNIT, 2 * CHUNK_UNIT]);
  expect(checkpoints.saved).toHaveLength(1);
});

it('resumes after a connection broken half way: a status query, then the rest from where it stopped', async () => {
  // Prepare
  twin.faults.breakNextUpload({ afterBytes: 100_000 });

  // Act
  await upload(memoryCheckpoints());

  // Assess
  const [session] = twin.uploadSessions();
  expect(twin.uploadSessions()).toHaveLength(1);
  expect(session?.statusQueries).toBe(1);
  expect(session?.chunkStarts).toEqual([0, 100_000, 100_000 + CHUNK_UNIT]);
  expect(Buffer.compare(await readFile(twin.videos()[0]?.file ?? ''), VIDEO)).toBe(0);
});

it('resumes the saved session when the message is delivered again, instead of starting over', async () => {
  // Prepare: the first delivery breaks and gives up (one attempt), leaving its checkpoint.
  const checkpoints = memoryCheckpoints();
  twin.faults.breakNextUpload({ afterBytes: 200_000 });
  const first = await upload(checkpoints, { retry: { attempts: 1, baseDelayMs: 1 } }).catch(
    (error: unknown) => error,
  );

  // Act
  await upload(checkpoints);

  // Assess
  expect(first).toBeInstanceOf(DestinationUnavailableError);
  expect(twin.uploadSessions()).toHaveLength(1);
  expect(twin.uploadSessions()[0]?.chunkStarts[1]).toBe(200_000);
  expect(twin.quota.usedToday(credentials.clientId)).toBe(1600);
  expect(Buffer.compare(await readFile(twin.videos()[0]?.file ?? ''), VIDEO)).toBe(0);
});

it('retries a rate limit and a 503, then succeeds', async () => {
  // Prepare
  twin.faults.rateLimitNext(1);
  twin.faults.serverErrorNext(1);

  // Act
  const result = await upload(memoryCheckpoints());

  // Assess
  expect(result.videoId).toBe(twin.videos()[0]?.id);
});

it('names a spent quota DestinationQuotaExceededError, not retryable, without opening a session', async () => {
  // Prepare
  twin.quota.exhaust(credentials.clientId);

  // Act
  const refused = await upload(memoryCheckpoints()).catch((error: unknown) => error);

  // Assess
  expect(refused).toBeInstanceOf(DestinationQuotaExceededError);
  expect((refused as DestinationQuotaExceededError).retryable).toBe(false);
  expect(twin.uploadSessions()).toHaveLength(0);
});

it('names a revoked refresh token DestinationAuthError', async () => {
  // Prepare
  twin.revoke(credentials.refreshToken);

  // Act
  const refused = await upload(memoryCheckpoints()).catch((error: unknown) => error);

  // Assess
  expect(refused).toBeInstanceOf(DestinationAuthError);
  expect((refused as Error).message).toContain('invalid_grant');
});

it('fits a long prompt with < > into a title YouTube accepts', async () => {
  // Prepare
  const metadata = fitYouTubeMetadata({
    title: `<b>${'a stormy lighthouse '.repeat(10)}</b>`,
    description: 'x'.repeat(6000),
    tags: Array.from({ length: 80 }, (_, i) => `tag number ${i}`),
  });

  // Act
  const result = await upload(memoryCheckpoints(), { metadata: { ...metadata, privacyStatus: 'unlisted' } });

  // Assess
  expect(result.videoId).toBe(twin.videos()[0]?.id);
  expect([...(twin.videos()[0]?.snippet.title ?? '')].length).toBeLessThanOrEqual(100);
});
