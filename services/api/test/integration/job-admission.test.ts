import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type JobFailed, jobFailedSchema, makeJobFailed, makeVideoComposed } from '@reelay/events';
import { JOB_SK, jobPk } from '@reelay/job-records';
import { ABANDONED_START_MS } from '../../src/admission/start-queued-jobs';
import { cancelJob } from '../../src/jobs/cancel-job';
import { readApiJob } from '../../src/jobs/create-job';
import { getJob } from '../../src/jobs/get-job';
import { listJobs } from '../../src/jobs/list-jobs';
import { quotaDay } from '../../src/jobs/quota';
import { type SubmitJobDeps, submitJob } from '../../src/jobs/submit-job';
import {
  handleTerminalEvent,
  type NotifyDeps,
  type TerminalEvent,
} from '../../src/notify/handle-terminal-event';
import { ADMISSION_SK, QUEUE_PREFIX, quotaSk, userPk } from '../../src/table/api-table';
import { type ApiTableFixture, RecordingPublisher, startApiTable } from '../support/api-table';
import { answerOf } from '../support/http-answer';

const JOBS_TABLE = 'reelay-jobs-admission-test';

describe('the per-user limit of concurrent jobs: admission, queue and release (DynamoDB Local)', () => {
  let fixture: ApiTableFixture;
  let userSeq = 0;
  const unused = {
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  // Callbacks are queued only for users with a registration (none here); links only for completed records.
  const sqs = new SQSClient(unused);
  const s3 = new S3Client(unused);

  beforeAll(async () => {
    fixture = await startApiTable();
    await fixture.createTable(JOBS_TABLE);
  }, 120_000);
  afterAll(async () => {
    sqs.destroy();
    s3.destroy();
    await fixture?.close();
  });

  function setup(maxConcurrentJobs: number) {
    const publisher = new RecordingPublisher();
    const userId = `admission-user-${++userSeq}`;
    const deps: SubmitJobDeps = {
      doc: fixture.doc,
      table: fixture.table,
      publisher,
      quota: { unit: 'jobs', perDay: 100 },
      admission: { maxConcurrentJobs },
      resolveUploads: async () => [],
    };
    const notifyDeps: NotifyDeps = {
      doc: fixture.doc,
      table: fixture.table,
      sqs,
      queueUrl: 'http://127.0.0.1:9/callbacks',
      admission: { publisher, admission: { maxConcurrentJobs } },
    };
    const submit = async (prompt: string, key?: string) => {
      const res = await answerOf(
        submitJob(
          userId,
          {
            body: JSON.stringify({ prompt }),
            headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
          },
          deps,
        ),
      );
      return JSON.parse(String(res.body)) as { jobId: string; status: string };
    };
    const submitMany = async (n: number) => {
      const answers = [];
      // One after the other: submission order is the order the queue must keep.
      for (let i = 0; i < n; i++) answers.push(await submit(`job ${i + 1}`));
      return answers;
    };
    const meta = () => ({ userId, correlationId: 'c', occurredAt: new Date().toISOString() });
    const end = (event: TerminalEvent) => handleTerminalEvent(event, notifyDeps);
    const composed = (jobId: string): TerminalEvent => ({
      type: 'VideoComposed',
      detail: makeVideoComposed({ jobId, meta: meta() }),
    });
    const failed = (jobId: string, overrides: Partial<JobFailed> = {}): TerminalEvent => ({
      type: 'JobFailed',
      detail: makeJobFailed({ jobId, meta: meta(), ...overrides }),
    });
    const published = () => publisher.published.map((e) => e.jobId);
    const counters = async () => {
      const { Item } = await fixture.doc.send(
        new GetCommand({ TableName: fixture.table, Key: { pk: userPk(userId), sk: ADMISSION_SK } }),
      );
      return { running: Number(Item?.running ?? 0), queued: Number(Item?.queued ?? 0) };
    };
    const queueEntries = async () => {
      const res = await fixture.doc.send(
        new QueryCommand({
          TableName: fixture.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': QUEUE_PREFIX },
        }),
      );
      return (res.Items ?? []).map((i) => String(i.jobId));
    };
    const statusOf = async (jobId: string) => {
      const res = await answerOf(
        getJob(userId, jobId, { ...deps, jobsTable: JOBS_TABLE, s3, mediaBucket: 'media' }),
      );
      return (JSON.parse(String(res.body)) as { status: string }).status;
    };
    const listed = async (status?: string) => {
      const res = await answerOf(
        listJobs(userId, status ? { status } : {}, { ...deps, jobsTable: JOBS_TABLE }),
      );
      return (JSON.parse(String(res.body)) as { jobs: Array<{ jobId: string; status: string }> }).jobs;
    };
    return {
      userId,
      publisher,
      deps,
      notifyDeps,
      submit,
      submitMany,
      end,
      composed,
      failed,
      published,
      counters,
      queueEntries,
      statusOf,
      listed,
    };
  }

  it('accepts jobs beyond the limit as QUEUED (202) without publishing them, shown QUEUED in GET and the list', async () => {
    const { submitMany, published, statusOf, listed, counters } = setup(2);

    const answers = await submitMany(4);

    expect(answers.map((a) => a.status)).toEqual(['REQUESTED', 'REQUESTED', 'QUEUED', 'QUEUED']);
    expect(published()).toEqual([answers[0]?.jobId, answers[1]?.jobId]);
    expect(await statusOf(String(answers[2]?.jobId))).toBe('QUEUED');
    expect(await statusOf(String(answers[0]?.jobId))).toBe('REQUESTED');
    const list = await listed();
    expect(list.map((j) => j.status)).toEqual(['QUEUED', 'QUEUED', 'REQUESTED', 'REQUESTED']);
    expect((await listed('QUEUED')).map((j) => j.jobId)).toEqual([answers[3]?.jobId, answers[2]?.jobId]);
    expect(await counters()).toEqual({ running: 2, queued: 2 });
  });

  it('never runs more than the limit when one user submits many jobs at the same moment', async () => {
    const { submit, published, counters, queueEntries } = setup(3);

    const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => submit(`burst ${i}`)));

    expect(answers.filter((a) => a.status === 'REQUESTED')).toHaveLength(3);
    expect(answers.filter((a) => a.status === 'QUEUED')).toHaveLength(6);
    expect(published()).toHaveLength(3);
    expect(await counters()).toEqual({ running: 3, queued: 6 });
    expect(await queueEntries()).toHaveLength(6);
  });

  it('starts the oldest queued job when a running one ends, once however often the end is delivered', async () => {
    const { submitMany, end, composed, published, counters, statusOf } = setup(2);
    const [first, , third, fourth] = await submitMany(4);
    const firstEnd = composed(String(first?.jobId));

    await end(firstEnd);
    await end(firstEnd);
    await end(firstEnd);

    expect(published().slice(2)).toEqual([third?.jobId]);
    expect(await counters()).toEqual({ running: 2, queued: 1 });
    expect(await statusOf(String(third?.jobId))).toBe('REQUESTED');
    expect(await statusOf(String(fourth?.jobId))).toBe('QUEUED');
    const started = await readApiJob(String(third?.jobId), fixture);
    expect(started).toMatchObject({ admission: 'RUNNING', published: true });
  });

  it('starts queued jobs in submission order whatever order the running ones end in', async () => {
    const { submitMany, end, composed, failed, published } = setup(2);
    const jobs = (await submitMany(5)).map((a) => a.jobId);

    await end(failed(String(jobs[1])));
    await end(composed(String(jobs[0])));
    await end(composed(String(jobs[2])));

    expect(published()).toEqual(jobs);
  });

  it('gives back the slot once when an outcome is overturned (a dead letter, then the video)', async () => {
    const { submitMany, end, composed, failed, published, counters } = setup(1);
    const [first, second, third] = await submitMany(3);
    const deadLetter = failed(String(first?.jobId), {
      stage: 'render',
      code: 'DEAD_LETTER',
      retryable: true,
    });

    await end(deadLetter);
    await end(composed(String(first?.jobId)));
    await end(deadLetter);

    expect(published()).toEqual([first?.jobId, second?.jobId]);
    expect(await counters()).toEqual({ running: 1, queued: 1 });
    const overturned = await readApiJob(String(first?.jobId), fixture);
    expect(overturned).toMatchObject({ outcome: 'COMPLETED', admission: 'RELEASED' });
    expect(third?.status).toBe('QUEUED');
  });

  it('gives back the slot once when a cancel that happened first arrives after the video (out of order)', async () => {
    const { userId, submitMany, end, composed, failed, published, counters } = setup(1);
    const [first, second, third] = await submitMany(3);
    // The cancel happened first but is delivered after the video: the cancel wins, the slot goes once.
    const cancel = failed(String(first?.jobId), {
      stage: 'cancel',
      code: 'CANCELLED',
      meta: { userId, correlationId: 'c', occurredAt: new Date(Date.now() - 60_000).toISOString() },
    });

    await end(composed(String(first?.jobId)));
    await end(cancel);
    await end(cancel);

    expect(published()).toEqual([first?.jobId, second?.jobId]);
    expect(await counters()).toEqual({ running: 1, queued: 1 });
    expect((await readApiJob(String(first?.jobId), fixture))?.outcome).toBe('CANCELLED');
    expect(third?.status).toBe('QUEUED');
  });

  it('cancels a QUEUED job without starting it: out of the queue, quota refunded, never published', async () => {
    const { userId, submitMany, deps, end, composed, publisher, published, counters, queueEntries } =
      setup(1);
    const [first, second, third] = await submitMany(3);

    const res = await answerOf(
      cancelJob(userId, second?.jobId, { ...deps, jobsTable: JOBS_TABLE, publisher }),
    );
    const cancel = jobFailedSchema.parse(publisher.others.at(-1)?.detail);
    await end({ type: 'JobFailed', detail: cancel });
    await end({ type: 'JobFailed', detail: cancel });

    expect(res.statusCode).toBe(202);
    expect(await counters()).toEqual({ running: 1, queued: 1 });
    expect(await queueEntries()).toEqual([third?.jobId]);
    const { Item: quota } = await fixture.doc.send(
      new GetCommand({
        TableName: fixture.table,
        Key: { pk: userPk(userId), sk: quotaSk(quotaDay(new Date())) },
      }),
    );
    expect(quota?.used).toBe(2);
    // Prepare the next slot: the cancelled job is skipped, the next one in line starts.
    await end(composed(String(first?.jobId)));
    expect(published()).toEqual([first?.jobId, third?.jobId]);
  });

  it("answers a job cancelled while QUEUED with its creation time, which the ledger's record lacks", async () => {
    // Prepare: the second job waits for the only slot and is cancelled; the ledger projects the cancel's
    // JobFailed alone (it learns createdAt from JobRequested, never published for this job).
    const { userId, submitMany, deps, publisher } = setup(1);
    const [, queued] = await submitMany(2);
    const jobId = String(queued?.jobId);
    await answerOf(cancelJob(userId, jobId, { ...deps, jobsTable: JOBS_TABLE, publisher }));
    await fixture.doc.send(
      new PutCommand({
        TableName: JOBS_TABLE,
        Item: { pk: jobPk(jobId), sk: JOB_SK, jobId, userId, status: 'CANCELLED', costUsd: 0 },
      }),
    );

    // Act
    const res = await answerOf(
      getJob(userId, jobId, { ...deps, jobsTable: JOBS_TABLE, s3, mediaBucket: 'media' }),
    );

    // Assess: what `npm run jobs -- <id>` prints as "created".
    const view = JSON.parse(String(res.body)) as { status: string; createdAt?: string };
    expect(view.status).toBe('CANCELLED');
    expect(view.createdAt).toBe((await readApiJob(jobId, fixture))?.createdAt);
    expect(view.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('answers an Idempotency-Key replay of a queued job with the same QUEUED job, still unpublished', async () => {
    const { submit, published } = setup(1);
    await submit('the running one');

    const firstTry = await submit('the waiting one', 'key-queued');
    const retry = await submit('the waiting one', 'key-queued');

    expect(retry).toEqual(firstTry);
    expect(retry.status).toBe('QUEUED');
    expect(published()).toHaveLength(1);
  });

  it('finishes a start that crashed before its JobRequested when the end is redelivered', async () => {
    const { submitMany, end, composed, publisher, published, counters, notifyDeps } = setup(1);
    const [first, second] = await submitMany(3);
    const firstEnd = composed(String(first?.jobId));
    publisher.failNext = 1;

    await expect(end(firstEnd)).rejects.toThrow('the bus is unreachable');
    await end(firstEnd); // redelivered at once: the start may still be its first run's to finish
    const published1 = published();
    // Redelivered after the queue's visibility timeout: the start is abandoned, this run finishes it.
    const later = new Date(Date.now() + ABANDONED_START_MS);
    await handleTerminalEvent(firstEnd, {
      ...notifyDeps,
      admission: {
        ...notifyDeps.admission,
        publisher,
        admission: { maxConcurrentJobs: 1 },
        now: () => later,
      },
    });
    await handleTerminalEvent(firstEnd, notifyDeps);

    expect(published1).toEqual([first?.jobId]);
    expect(published()).toEqual([first?.jobId, second?.jobId]);
    expect(await counters()).toEqual({ running: 1, queued: 1 });
  });

  it('does not let a job whose submit died before publishing hold its slot for good: the next submission publishes it once abandoned', async () => {
    // Prepare: the submit dies between its transaction and its publish (the bus is unreachable), and
    // the client never retries with an Idempotency-Key: the job holds the only slot, unpublished.
    const { userId, deps, publisher, published, counters, queueEntries, end, composed, listed } = setup(1);
    publisher.failNext = 1;
    await expect(
      submitJob(
        userId,
        { body: JSON.stringify({ prompt: 'orphan' }), headers: { 'content-type': 'application/json' } },
        deps,
      ),
    ).rejects.toThrow('the bus is unreachable');
    const [orphan] = await listed();
    expect(await counters()).toEqual({ running: 1, queued: 0 });

    // Act: the user submits again once the dead submit's start is abandoned; then the orphan ends.
    const later = new Date(Date.now() + ABANDONED_START_MS);
    const next = await answerOf(
      submitJob(
        userId,
        { body: JSON.stringify({ prompt: 'next' }), headers: { 'content-type': 'application/json' } },
        { ...deps, now: () => later },
      ),
    );
    const nextJob = JSON.parse(String(next.body)) as { jobId: string; status: string };
    const publishedBeforeEnd = published();
    await end(composed(String(orphan?.jobId)));

    // Assess: the orphan ran (published), its end gave the slot to the queued job, no entry is left.
    expect(nextJob.status).toBe('QUEUED');
    expect(publishedBeforeEnd).toEqual([orphan?.jobId]);
    expect(published()).toEqual([orphan?.jobId, nextJob.jobId]);
    expect(await counters()).toEqual({ running: 1, queued: 0 });
    expect(await queueEntries()).toEqual([]);
  });

  it('starts exactly one queued job per freed slot when running jobs end at the same moment', async () => {
    const { submitMany, end, composed, published, counters } = setup(3);
    const jobs = (await submitMany(7)).map((a) => String(a.jobId));

    await Promise.all(jobs.slice(0, 3).map((jobId) => end(composed(jobId))));

    expect([...published()].sort()).toEqual(jobs.slice(0, 6).sort());
    expect(await counters()).toEqual({ running: 3, queued: 1 });
  });
});
