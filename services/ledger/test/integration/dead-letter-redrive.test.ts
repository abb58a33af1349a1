/**
 * Invariant 2 and 3 on the embedded cloud: a poison message ends its job FAILED with the message kept,
 * and after the fix the redrive brings the job to COMPLETED; replaying the job's events to the ledger
 * changes neither its record nor its charges.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SendMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  EventPublisher,
  type JobSpecInput,
  jobRequested,
  makeJobRequested,
  newMeta,
  SOURCES,
} from '@reelay/events';
import { type JobRecord, readJobRecord, readUserDailyUsage, usageDay } from '@reelay/job-records';
import { type EmbeddedCloud, startEmbeddedCloud } from '../../../../local/cloud/src/embedded-cloud';
import { startArchiveReplay } from '../../../../local/ops/src/archive-replay';
import { resolveQueue } from '../../../../local/ops/src/queue-ref';
import { redriveJobDeadMessages } from '../../../../local/ops/src/redrive-job';
import { cloudAtRest } from '../../../../test/support/cloud-at-rest';
import { TEST_STAGE } from '../../../../test/support/test-stage';

const STAGE = TEST_STAGE;
const USER = 'ledger-ops-user';
const PREPARE_QUEUE = `reelay-${STAGE}-composer-prepare`;

let cloud: EmbeddedCloud;
let doc: DynamoDBDocumentClient;
const logs: string[] = [];

beforeAll(async () => {
  cloud = await startEmbeddedCloud({ stage: STAGE, onLog: (fn, line) => logs.push(`${fn} ${line}`) });
  doc = DynamoDBDocumentClient.from(cloud.clients.dynamodb);
}, 300_000);
afterAll(async () => cloud?.close());

/** JobRequested straight on the bus, as the api publishes it: this test is about what follows. */
async function submit(spec: JobSpecInput): Promise<string> {
  const requested = makeJobRequested({ meta: newMeta(USER), spec });
  await new EventPublisher({
    client: cloud.clients.events,
    busName: cloud.names.bus,
    source: SOURCES.api,
  }).publish(jobRequested, requested);
  return requested.jobId;
}

async function waitForRecord(
  jobId: string,
  done: (r: JobRecord) => boolean,
  what: string,
): Promise<JobRecord> {
  for (let i = 0; i < 600; i++) {
    const record = await readJobRecord(doc, cloud.names.jobsTable, jobId);
    if (record && done(record)) return record;
    await new Promise((r) => setTimeout(r, 250));
  }
  const record = await readJobRecord(doc, cloud.names.jobsTable, jobId);
  throw new Error(
    `job ${jobId} never became ${what}: ${JSON.stringify(record?.failure ?? record?.status)}\n${logs.slice(-30).join('\n')}`,
  );
}

async function setPrepareVisibility(seconds: number) {
  const queue = await resolveQueue(cloud.clients.sqs, PREPARE_QUEUE);
  await cloud.clients.sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queue.url,
      Attributes: { VisibilityTimeout: String(seconds) },
    }),
  );
}

const tinyJob: JobSpecInput = {
  prompt: 'a paper boat on a pond',
  scenes: 1,
  secondsPerScene: 1,
  resolution: '480p',
  music: false,
  narration: false,
  captions: false,
};

describe('dead letters on the embedded cloud', () => {
  let jobId = '';
  let completed: JobRecord;

  test('a poison message fails its job with the message kept, and a redrive after the fix completes it', async () => {
    // Prepare: the composer's prepare "crashes" on this job's scene (received, never deleted) until fixed.
    let poisonJob = '';
    await setPrepareVisibility(1);
    const removeHook = cloud.emulator.sqs.addBeforeDeliverHook((queueName, message) =>
      poisonJob && queueName === PREPARE_QUEUE && message.body.includes(poisonJob)
        ? 'drop-until-visible'
        : undefined,
    );

    // Act 1: the message dies after its receives, in the composer's prepare DLQ.
    jobId = await submit(tinyJob);
    firstJobId = jobId;
    poisonJob = jobId;
    const failed = await waitForRecord(jobId, (r) => r.status === 'FAILED', 'FAILED');

    // Assess 1
    expect(failed.failure).toMatchObject({
      stage: 'prepare',
      code: 'DEAD_LETTER',
      retryable: true,
      sceneIndex: 0,
    });
    expect(failed.deadMessages).toEqual([
      expect.objectContaining({
        deadLetterQueue: `${PREPARE_QUEUE}-dlq`,
        redriveTo: PREPARE_QUEUE,
        stage: 'prepare',
      }),
    ]);

    // Act 2: the fix, then the redrive of what the ledger kept.
    removeHook();
    await setPrepareVisibility(720);
    const redriven = await redriveJobDeadMessages(jobId, {
      doc,
      sqs: cloud.clients.sqs,
      table: cloud.names.jobsTable,
    });
    completed = await waitForRecord(jobId, (r) => r.status === 'COMPLETED', 'COMPLETED');

    // Assess 2
    expect(redriven.sent).toEqual([{ deadLetterQueue: `${PREPARE_QUEUE}-dlq`, redriveTo: PREPARE_QUEUE }]);
    expect(completed.recoveredFailure).toMatchObject({ code: 'DEAD_LETTER', stage: 'prepare' });
    expect(completed.failure).toBeUndefined();
    expect(completed.output?.key).toBe(`jobs/${jobId}/final.mp4`);
    expect(completed.deadMessages[0]?.redrives).toBe(1);
  }, 300_000);

  test("replaying the job's events to the ledger leaves its record and its user's charges unchanged", async () => {
    if (!completed) throw new Error('needs the job of the previous test');
    const day = usageDay(completed.createdAt ?? new Date().toISOString());
    const usageBefore = await readUserDailyUsage(doc, cloud.names.jobsTable, USER, day);
    const from = new Date(Date.parse(completed.createdAt ?? '') - 1000);

    const replay = await startArchiveReplay(cloud.clients.events, {
      bus: cloud.names.bus,
      archive: `reelay-${STAGE}-archive`,
      from,
      to: new Date(),
      rules: [`reelay-${STAGE}-ledger-project`],
      inAws: false,
    });
    // The replay has dispatched every event (COMPLETED); at rest, the ledger has projected them all.
    await cloudAtRest(cloud, { what: 'the replayed events projected by the ledger' });
    const after = await readJobRecord(doc, cloud.names.jobsTable, jobId);

    expect(replay.state).toBe('COMPLETED');
    const { updatedAt: _a, ...recordAfter } = after ?? ({} as JobRecord);
    const { updatedAt: _b, ...recordBefore } = completed;
    expect(recordAfter).toEqual(recordBefore);
    expect(await readUserDailyUsage(doc, cloud.names.jobsTable, USER, day)).toEqual(usageBefore);
  }, 120_000);
});

describe('a dead message that names no job', () => {
  test('stays in its DLQ for an operator, hidden for 12 h instead of drained and logged every 30 s', async () => {
    const deadLetterQueue = `${PREPARE_QUEUE}-dlq`;
    const { QueueUrl } = await cloud.clients.sqs.send(new GetQueueUrlCommand({ QueueName: deadLetterQueue }));
    const { MessageId } = await cloud.clients.sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: '{"hello":"world"}' }),
    );
    const message = () =>
      cloud.emulator.sqs.peekMessages(deadLetterQueue).find((m) => m.messageId === MessageId);

    // At rest, the deadLetters function has handled the message: deleted it, or parked it.
    await cloudAtRest(cloud, { what: 'the dead letter that names no job handled' });
    const peeked = message();

    expect(peeked).toMatchObject({ receiveCount: 1, state: 'in-flight' });
    // the deadLetters function parked it: visible again only ~12 h from now
    expect((peeked?.visibleAt ?? 0) - Date.now()).toBeGreaterThan(11 * 3600 * 1000);
    expect(logs.some((line) => line.includes('dead message names no job'))).toBe(true);
  });
});

describe('the replay invariant on the embedded cloud', () => {
  test('the sweeper fails an overdue job (stage timeout), and replaying the whole window to every rule creates no prediction, no composed video, no charge, and leaves both records', async () => {
    // Prepare: the job of the first test (completed after a dead letter and a redrive), and a job
    // past its deadline that the ledger's sweeper fails.
    const completedJob = (await readFirstJob()).jobId;
    const overdue = makeJobRequested({
      meta: newMeta(USER),
      spec: tinyJob,
      deadlineAt: new Date(Date.now() - 1000).toISOString(),
    });
    await new EventPublisher({
      client: cloud.clients.events,
      busName: cloud.names.bus,
      source: SOURCES.api,
    }).publish(jobRequested, overdue);
    await waitForRecord(overdue.jobId, () => true, 'projected');
    const sweeper = cloud.functions.get(`reelay-ledger-${STAGE}-sweeper`);
    if (!sweeper) throw new Error('the sweeper is not deployed');
    await sweeper.invoke({});
    const timedOut = await waitForRecord(overdue.jobId, (r) => r.status === 'FAILED', 'FAILED');
    expect(timedOut.failure).toMatchObject({ stage: 'timeout', code: 'DEADLINE_EXCEEDED', retryable: false });
    await cloudAtRest(cloud, { what: 'the overdue job failed everywhere' });
    const jobs = [completedJob, overdue.jobId];
    const before = await Promise.all(jobs.map((id) => readJobRecord(doc, cloud.names.jobsTable, id)));
    const firstCreatedAt = before[0]?.createdAt;
    if (!firstCreatedAt) throw new Error('needs the job of the first test');
    const day = usageDay(firstCreatedAt);
    const usageBefore = await readUserDailyUsage(doc, cloud.names.jobsTable, USER, day);
    const predictionsBefore = cloud.models.predictions().length;
    const composedBefore = jobs.map((id) => archivedOfJob(id, 'VideoComposed'));
    const finalBefore = await finalVideoVersion(completedJob);

    // Act
    const replay = await startArchiveReplay(cloud.clients.events, {
      bus: cloud.names.bus,
      archive: `reelay-${STAGE}-archive`,
      from: new Date(Date.parse(firstCreatedAt) - 1000),
      to: new Date(),
      inAws: false,
    });
    await cloudAtRest(cloud, { what: 'every replayed event handled', timeoutMs: 300_000 });

    // Assess
    expect(replay.state).toBe('COMPLETED');
    expect(cloud.models.predictions().length).toBe(predictionsBefore);
    expect(jobs.map((id) => archivedOfJob(id, 'VideoComposed'))).toEqual(composedBefore);
    expect(await finalVideoVersion(completedJob)).toEqual(finalBefore);
    expect(await readUserDailyUsage(doc, cloud.names.jobsTable, USER, day)).toEqual(usageBefore);
    const after = await Promise.all(jobs.map((id) => readJobRecord(doc, cloud.names.jobsTable, id)));
    const withoutUpdatedAt = (records: Array<JobRecord | undefined>) =>
      records.map((r) => {
        const { updatedAt: _u, ...rest } = r ?? ({} as JobRecord);
        return rest;
      });
    expect(withoutUpdatedAt(after)).toEqual(withoutUpdatedAt(before));
    expect(after.map((r) => r?.status)).toEqual(['COMPLETED', 'FAILED']);
  }, 400_000);
});

let firstJobId = '';
async function readFirstJob(): Promise<{ jobId: string }> {
  if (!firstJobId) throw new Error('needs the job of the first test');
  return { jobId: firstJobId };
}

/** Events of a job the bus archived (replayed events are never archived: a new one means new work). */
function archivedOfJob(jobId: string, detailType: string): number {
  return cloud.emulator.events.archives
    .listArchives()
    .flatMap((a) => a.events)
    .filter((e) => e.event['detail-type'] === detailType && JSON.stringify(e.event.detail).includes(jobId))
    .length;
}

async function finalVideoVersion(jobId: string) {
  const head = await cloud.clients.s3.send(
    new HeadObjectCommand({ Bucket: cloud.names.mediaBucket, Key: `jobs/${jobId}/final.mp4` }),
  );
  return { etag: head.ETag, lastModified: head.LastModified?.toISOString() };
}
