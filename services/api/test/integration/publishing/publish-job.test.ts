import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { EventPublisher, makeVideoComposed, SOURCES } from '@reelay/events';
import { HttpProblemError } from '@reelay/lambda';
import { ulid } from 'ulid';
import { type AwsJsonEmulator, startAwsJsonEmulator } from '../../../../../local/cloud/aws-json/src';
import { type LocalS3, startLocalS3 } from '../../../../../local/cloud/src/local-s3';
import { type LocalYouTube, startLocalYouTube } from '../../../../../local/youtube/src';
import {
  type ConnectionStoreDeps,
  connectionExists,
  putYouTubeConnection,
  readYouTubeConnection,
} from '../../../src/connections/connection-store';
import { checkPublishConnections } from '../../../src/publishing/publish-connections';
import { DestinationUnavailableError } from '../../../src/publishing/publish-errors';
import { type PublishJobDeps, publishComposedVideo } from '../../../src/publishing/publish-job';
import { CHUNK_UNIT } from '../../../src/publishing/youtube-resumable-upload';
import { API_JOB_SK, apiJobPk } from '../../../src/table/api-table';
import { type ApiTableFixture, startApiTable } from '../../support/api-table';

/**
 * The publisher's core on real clients: DynamoDB Local (claims, quota marks), the local S3 (the final
 * video, read by ranged GETs), the local Parameter Store (connections), the emulator's bus, and the
 * YouTube twin. Each job and destination is published once whatever is replayed; a connection whose
 * quota ran out fails fast for the rest of its Pacific day.
 */
const BUS = 'reelay-publish-job-test';
const BUCKET = 'media';
const VIDEO = randomBytes(2 * CHUNK_UNIT + 999);
const USER = 'user-publisher';
/** A user's S3 destination bucket this deployment may write (PUBLISH_BUCKETS). */
const EXPORTS = 'acme-exports';

let table: ApiTableFixture;
let emulator: AwsJsonEmulator;
let localS3: LocalS3;
let s3: S3Client;
let ssm: SSMClient;
let events: EventBridgeClient;
let sqs: SQSClient;
let queueUrl: string;
let twin: LocalYouTube;
let connections: ConnectionStoreDeps;
let now = new Date('2026-12-06T12:00:00Z');

beforeAll(async () => {
  [table, emulator, localS3] = await Promise.all([
    startApiTable(),
    startAwsJsonEmulator({ invokeLambda: async () => undefined }),
    startLocalS3(),
  ]);
  const aws = { region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } };
  s3 = new S3Client({
    region: 'us-east-1',
    // s3rver's own key (local-s3.ts); without the embedded cloud's gate it accepts no other.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    endpoint: localS3.endpoint,
    forcePathStyle: true,
  });
  ssm = new SSMClient({ ...aws, endpoint: emulator.url });
  events = new EventBridgeClient({ ...aws, endpoint: emulator.url });
  sqs = new SQSClient({ ...aws, endpoint: emulator.url });
  connections = { ssm, parameterPrefix: '/reelay/test' };
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new CreateBucketCommand({ Bucket: EXPORTS }));
  await events.send(new CreateEventBusCommand({ Name: BUS }));
  queueUrl = String((await sqs.send(new CreateQueueCommand({ QueueName: 'outcomes' }))).QueueUrl);
  await events.send(
    new PutRuleCommand({
      Name: 'all',
      EventBusName: BUS,
      EventPattern: JSON.stringify({ source: ['reelay.api'] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: 'all',
      EventBusName: BUS,
      Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:outcomes' }],
    }),
  );
}, 60_000);
afterAll(async () => {
  for (const client of [s3, ssm, events, sqs]) client.destroy();
  await Promise.all([table.close(), emulator.close(), localS3.close()]);
});
beforeEach(async () => {
  twin = await startLocalYouTube();
});
afterEach(async () => {
  await twin.close();
});

function deps(): PublishJobDeps {
  return {
    doc: table.doc,
    table: table.table,
    publisher: new EventPublisher({ client: events, busName: BUS, source: SOURCES.api }),
    s3,
    mediaBucket: BUCKET,
    readConnection: (userId, name) => readYouTubeConnection(userId, name, connections),
    endpoints: { apiUrl: twin.url, tokenUrl: twin.tokenUrl },
    chunkBytes: CHUNK_UNIT,
    retry: { attempts: 3, baseDelayMs: 1, sleep: async () => undefined },
    leaseMs: 60_000,
    now: () => now,
  };
}

/** A composed job of USER with one YouTube destination through `connection`, its video in the local S3. */
async function composedJob(connection: string) {
  return composedJobTo([{ type: 'youtube', connection, privacyStatus: 'unlisted' }]);
}

/** A composed job of USER publishing to `publish`, its video in the local S3. */
async function composedJobTo(publish: Record<string, unknown>[]) {
  const jobId = ulid();
  const key = `jobs/${jobId}/final.mp4`;
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: VIDEO }));
  await table.doc.send(
    new PutCommand({
      TableName: table.table,
      Item: {
        pk: apiJobPk(jobId),
        sk: API_JOB_SK,
        jobId,
        userId: USER,
        spec: {
          recipe: 'prompt',
          prompt: 'A lighthouse at dawn. Waves below.',
          publish,
        },
      },
    }),
  );
  return makeVideoComposed({ jobId, key, bytes: VIDEO.length });
}

async function outcomesFor(jobId: string) {
  const found: { 'detail-type': string; detail: Record<string, unknown> }[] = [];
  for (let i = 0; i < 3; i += 1) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    found.push(...Messages.map((m) => JSON.parse(m.Body ?? '{}')));
  }
  return found.filter((event) => event.detail?.jobId === jobId);
}

async function connect(name: string) {
  const credentials = twin.createCredentials();
  await putYouTubeConnection(USER, name, credentials, connections);
  return credentials;
}

it('uploads the stored final video to YouTube once, however often VideoComposed is replayed', async () => {
  // Prepare
  await connect('main');
  const video = await composedJob('main');

  // Act
  const first = await publishComposedVideo(video, deps());
  const replay = await publishComposedVideo(video, deps());

  // Assess
  expect(first).toEqual({ 'youtube:main': 'published' });
  expect(replay).toEqual({ 'youtube:main': 'already-done' });
  expect(twin.videos()).toHaveLength(1);
  const stored = twin.videos()[0];
  expect(readFileSync(String(stored?.file)).equals(VIDEO)).toBe(true);
  expect(stored?.snippet.title).toBe('A lighthouse at dawn.');
  const outcomes = await outcomesFor(video.jobId);
  expect(outcomes.map((event) => event['detail-type'])).toEqual(['VideoPublished']);
});

const readObject = async (bucket: string, key: string) => {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await Body?.transformToByteArray()) ?? new Uint8Array());
};

it("copies the final video and its metadata into the user's folder of a configured bucket once, however often VideoComposed is replayed", async () => {
  // Prepare
  const video = await composedJobTo([{ type: 's3', bucket: EXPORTS, prefix: 'reels/' }]);
  const folder = `users/${USER}/reels/${video.jobId}/`;
  const publishing = { ...deps(), publishBuckets: [EXPORTS] };

  // Act
  const first = await publishComposedVideo(video, publishing);
  const replay = await publishComposedVideo(video, publishing);

  // Assess
  expect(first).toEqual({ [`s3:${EXPORTS}/reels`]: 'published' });
  expect(replay).toEqual({ [`s3:${EXPORTS}/reels`]: 'already-done' });
  expect((await readObject(EXPORTS, `${folder}video.mp4`)).equals(VIDEO)).toBe(true);
  expect(JSON.parse((await readObject(EXPORTS, `${folder}metadata.json`)).toString())).toEqual({
    jobId: video.jobId,
    title: 'A lighthouse at dawn.',
    description: 'A lighthouse at dawn. Waves below.\n\nMade with Reelay.',
    tags: ['reelay', 'prompt'],
    durationSec: video.durationSec,
    bytes: VIDEO.length,
    video: 'video.mp4',
  });
  const outcomes = await outcomesFor(video.jobId);
  expect(outcomes.map((event) => [event['detail-type'], event.detail.url])).toEqual([
    ['VideoPublished', `s3://${EXPORTS}/${folder}video.mp4`],
  ]);
});

it('reports a bucket that does not exist and one the deployment may not write as PublishFailed, naming each', async () => {
  // Prepare: `absent-bucket` is configured but was never created; `not-listed` is not configured.
  const video = await composedJobTo([
    { type: 's3', bucket: 'absent-bucket', prefix: '' },
    { type: 's3', bucket: 'not-listed', prefix: '' },
  ]);

  // Act
  const outcome = await publishComposedVideo(video, {
    ...deps(),
    publishBuckets: [EXPORTS, 'absent-bucket'],
  });

  // Assess
  expect(outcome).toEqual({ 's3:absent-bucket/': 'failed', 's3:not-listed/': 'failed' });
  const failures = (await outcomesFor(video.jobId)).map((event) => event.detail);
  expect(failures).toHaveLength(2);
  expect(failures).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        reason: 'rejected',
        message: expect.stringContaining("the bucket 'absent-bucket' does not exist (NoSuchBucket"),
      }),
      expect.objectContaining({
        reason: 'rejected',
        message: expect.stringContaining(
          "may not publish to the bucket 'not-listed'; it may publish to 'acme-exports'",
        ),
      }),
    ]),
  );
});

it('resumes an upload broken half way from where YouTube kept it', async () => {
  // Prepare
  await connect('main');
  const video = await composedJob('main');
  twin.faults.breakNextUpload({ afterBytes: CHUNK_UNIT / 2 });

  // Act
  const outcome = await publishComposedVideo(video, deps());

  // Assess
  expect(outcome).toEqual({ 'youtube:main': 'published' });
  expect(twin.uploadSessions()).toHaveLength(1);
  expect(twin.videos()[0]?.upload.statusQueries).toBeGreaterThanOrEqual(1);
  expect(readFileSync(String(twin.videos()[0]?.file)).equals(VIDEO)).toBe(true);
});

it('gives its claim back when YouTube stays unavailable, and the redelivery resumes the same session', async () => {
  // Prepare
  await connect('main');
  const video = await composedJob('main');
  twin.faults.breakNextUpload({ afterBytes: CHUNK_UNIT });
  // The two retries of this attempt (retry.attempts 3) meet 503s: the attempt gives up.
  twin.faults.serverErrorNext(2);

  // Act
  const thrown = await publishComposedVideo(video, deps()).catch((error: unknown) => error);
  const redelivered = await publishComposedVideo(video, deps());

  // Assess
  expect(thrown).toBeInstanceOf(DestinationUnavailableError);
  expect(redelivered).toEqual({ 'youtube:main': 'published' });
  expect(twin.uploadSessions()).toHaveLength(1);
  // Resumed where the break left it, never started over from byte 0.
  expect(twin.uploadSessions()[0]?.chunkStarts.filter((start) => start === 0)).toHaveLength(1);
  expect(readFileSync(String(twin.videos()[0]?.file)).equals(VIDEO)).toBe(true);
});

it('fails later uploads through a spent connection fast for the rest of the Pacific day, then tries again', async () => {
  // Prepare
  const credentials = await connect('spent');
  const first = await composedJob('spent');
  const second = await composedJob('spent');
  const nextDay = await composedJob('spent');
  twin.quota.exhaust(credentials.clientId);
  await publishComposedVideo(first, deps());
  twin.quota.setDailyLimit(1_000_000);
  const tokenRequestsBefore = twin.tokenRequests().length;

  // Act
  const fastFailure = await publishComposedVideo(second, deps());
  const tokenRequestsAfterFastFailure = twin.tokenRequests().length;
  now = new Date(now.getTime() + 86_400_000);
  const tomorrow = await publishComposedVideo(nextDay, deps());

  // Assess
  expect(fastFailure).toEqual({ 'youtube:spent': 'failed' });
  expect(tokenRequestsAfterFastFailure).toBe(tokenRequestsBefore);
  const [failed] = await outcomesFor(second.jobId);
  expect(failed?.['detail-type']).toBe('PublishFailed');
  expect(failed?.detail).toMatchObject({ reason: 'quota-exceeded' });
  expect(tomorrow).toEqual({ 'youtube:spent': 'published' });
});

it('refuses at submit (400 naming the field) a destination whose connection the user never stored', async () => {
  // Prepare
  await connect('stored');
  const exists = (userId: string, type: 'youtube', name: string) =>
    connectionExists(userId, type, name, connections);
  const stored = { type: 'youtube' as const, connection: 'stored', privacyStatus: 'private' as const };
  const spec = {
    publish: [stored, { type: 'youtube' as const, connection: 'missing', privacyStatus: 'private' as const }],
  };

  // Act
  const refused = await checkPublishConnections(USER, spec, exists).catch((error: unknown) => error);
  const otherUser = await checkPublishConnections('someone-else', { publish: [stored] }, exists).catch(
    (error: unknown) => error,
  );

  // Assess
  expect(refused).toBeInstanceOf(HttpProblemError);
  expect((refused as HttpProblemError).status).toBe(400);
  expect((refused as HttpProblemError).errors).toEqual([
    expect.objectContaining({ path: 'publish.1.connection' }),
  ]);
  expect((otherUser as HttpProblemError).errors).toEqual([
    expect.objectContaining({ path: 'publish.0.connection' }),
  ]);
});
