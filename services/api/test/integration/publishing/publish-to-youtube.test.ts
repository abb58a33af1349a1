import { randomBytes } from 'node:crypto';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EventPublisher, SOURCES } from '@reelay/events';
import { ulid } from 'ulid';
import { type AwsJsonEmulator, startAwsJsonEmulator } from '../../../../../local/cloud/aws-json/src';
import {
  type ChannelCredentials,
  type LocalYouTube,
  startLocalYouTube,
} from '../../../../../local/youtube/src';
import { DestinationUnavailableError } from '../../../src/publishing/publish-errors';
import { publishToYouTube } from '../../../src/publishing/publish-to-youtube';
import { CHUNK_UNIT, type UploadCheckpoint } from '../../../src/publishing/youtube-resumable-upload';

/**
 * One destination's outcome as events on a real bus (the emulator's EventBridge, read from a queue a
 * rule feeds): VideoPublished with the watch URL and the series passed on, PublishFailed naming a spent
 * quota, and nothing published while a transient failure is left to the queue's retries.
 */
const BUS = 'reelay-publish-test';
const VIDEO = randomBytes(CHUNK_UNIT + 777);
const series = { seriesId: ulid(), itemId: 'item-1' };

let emulator: AwsJsonEmulator;
let events: EventBridgeClient;
let sqs: SQSClient;
let queueUrl: string;
let twin: LocalYouTube;
let credentials: ChannelCredentials;

beforeAll(async () => {
  emulator = await startAwsJsonEmulator({ invokeLambda: async () => undefined });
  const config = {
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  };
  events = new EventBridgeClient(config);
  sqs = new SQSClient(config);
  await events.send(new CreateEventBusCommand({ Name: BUS }));
  queueUrl = String((await sqs.send(new CreateQueueCommand({ QueueName: 'published' }))).QueueUrl);
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
      Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:published' }],
    }),
  );
});
afterAll(async () => {
  events.destroy();
  sqs.destroy();
  await emulator.close();
});
beforeEach(async () => {
  twin = await startLocalYouTube();
  credentials = twin.createCredentials();
});
afterEach(async () => {
  await twin.close();
});

async function publish(jobId: string) {
  const saved: UploadCheckpoint[] = [];
  return publishToYouTube(
    {
      jobId,
      userId: 'user-pub',
      series,
      destination: { type: 'youtube', connection: 'main', privacyStatus: 'unlisted' },
      metadata: { title: 'A lighthouse at dawn', description: 'Made by Reelay', tags: ['reelay'] },
      video: { bytes: VIDEO.length, read: async (start, end) => VIDEO.subarray(start, end) },
    },
    {
      publisher: new EventPublisher({ client: events, busName: BUS, source: SOURCES.api }),
      readConnection: async (_userId, name) => (name === 'main' ? credentials : undefined),
      checkpoints: { load: async () => saved.at(-1), save: async (c) => void saved.push(c) },
      endpoints: { apiUrl: twin.url, tokenUrl: twin.tokenUrl },
      chunkBytes: CHUNK_UNIT,
      retry: { attempts: 2, baseDelayMs: 1, sleep: async () => undefined },
    },
  );
}

async function eventsFor(
  jobId: string,
): Promise<{ 'detail-type': string; detail: Record<string, unknown> }[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return Messages.map((m) => JSON.parse(m.Body ?? '{}')).filter((e) => e.detail?.jobId === jobId);
}

it('uploads and publishes VideoPublished with the watch URL, the video id and the series', async () => {
  // Prepare
  const jobId = ulid();

  // Act
  await publish(jobId);

  // Assess
  const [published] = await eventsFor(jobId);
  const videoId = twin.videos()[0]?.id;
  expect(published?.['detail-type']).toBe('VideoPublished');
  expect(published?.detail).toMatchObject({
    jobId,
    userId: 'user-pub',
    url: `https://www.youtube.com/watch?v=${videoId}`,
    videoId,
    series,
    destination: { type: 'youtube', connection: 'main', privacyStatus: 'unlisted' },
  });
  expect(twin.videos()[0]?.status.privacyStatus).toBe('unlisted');
});

it('publishes PublishFailed quota-exceeded when the quota is spent, and uploads nothing', async () => {
  // Prepare
  const jobId = ulid();
  twin.quota.exhaust(credentials.clientId);

  // Act
  await publish(jobId);

  // Assess
  const [failed] = await eventsFor(jobId);
  expect(failed?.['detail-type']).toBe('PublishFailed');
  expect(failed?.detail).toMatchObject({ jobId, reason: 'quota-exceeded', series });
  expect(twin.videos()).toHaveLength(0);
});

it('throws a retryable error and publishes nothing while YouTube stays unavailable', async () => {
  // Prepare
  const jobId = ulid();
  twin.faults.serverErrorNext(5);

  // Act
  const thrown = await publish(jobId).catch((error: unknown) => error);

  // Assess
  expect(thrown).toBeInstanceOf(DestinationUnavailableError);
  expect(await eventsFor(jobId)).toEqual([]);
});
