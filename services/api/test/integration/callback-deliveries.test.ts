import type { SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { jobSpecSchema, makeJobFailed, makeVideoComposed } from '@reelay/events';
import { Webhook } from 'standardwebhooks';
import type { CheckedCallbackUrl } from '../../src/callbacks/callback-url';
import {
  backoffDelaySec,
  type DeliverCallbackDeps,
  deliverCallback,
} from '../../src/callbacks/deliver-callback';
import { type DeliveryMessage, deliveryMessageSchema, readDelivery } from '../../src/callbacks/deliveries';
import type { CallbackPost } from '../../src/callbacks/post-callback';
import { acceptJob } from '../../src/jobs/accept-job';
import { readApiJob } from '../../src/jobs/create-job';
import { handleTerminalEvent } from '../../src/notify/handle-terminal-event';
import { API_JOB_SK, apiJobPk, CALLBACK_SK, userPk } from '../../src/table/api-table';
import { type ApiTableFixture, RecordingPublisher, startApiTable } from '../support/api-table';

/** An SQS stand-in that keeps what was sent, with its delay. */
class RecordingQueue {
  readonly sent: Array<{ queueUrl: string; message: unknown; delaySec: number }> = [];
  async send(command: { input: { QueueUrl?: string; MessageBody?: string; DelaySeconds?: number } }) {
    this.sent.push({
      queueUrl: String(command.input.QueueUrl),
      message: JSON.parse(String(command.input.MessageBody)),
      delaySec: command.input.DelaySeconds ?? 0,
    });
    return {};
  }
  take(queueUrl: string): DeliveryMessage[] {
    const mine = this.sent.filter((s) => s.queueUrl === queueUrl);
    this.sent.splice(0, this.sent.length, ...this.sent.filter((s) => s.queueUrl !== queueUrl));
    return mine.map((s) => deliveryMessageSchema.parse(s.message));
  }
}

describe('callback deliveries (DynamoDB Local, a recording queue and receiver)', () => {
  let fixture: ApiTableFixture;
  let seq = 0;
  const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

  beforeAll(async () => {
    fixture = await startApiTable();
  }, 120_000);
  afterAll(async () => fixture?.close());

  async function setup(answers: Array<{ ok: true; status: number } | { ok: false; error: string }>) {
    const userId = `cb-user-${++seq}`;
    const queue = new RecordingQueue();
    const received: Array<{ body: string; headers: Record<string, string>; url: string }> = [];
    const post: CallbackPost = async (target: CheckedCallbackUrl, body, headers) => {
      received.push({ body, headers, url: target.url.href });
      return answers.shift() ?? { ok: true, status: 204 };
    };
    const deps: DeliverCallbackDeps = {
      doc: fixture.doc,
      table: fixture.table,
      sqs: queue as unknown as SQSClient,
      queueUrl: 'callbacks',
      dlqUrl: 'callbacks-dlq',
      policy: { allowLoopbackHttp: false },
      resolve: async () => [{ address: '93.184.216.34', family: 4 }],
      post,
      maxAttempts: 3,
      backoffBaseSec: 5,
      random: () => 0.999,
    };
    await fixture.doc.send(
      new PutCommand({
        TableName: fixture.table,
        Item: {
          pk: userPk(userId),
          sk: CALLBACK_SK,
          url: 'https://hooks.example.com/reelay',
          secret: SECRET,
          registeredAt: new Date().toISOString(),
        },
      }),
    );
    const accepted = await acceptJob(
      { userId, spec: jobSpecSchema.parse({ prompt: 'x' }), uploadKeys: [] },
      { ...deps, publisher: new RecordingPublisher(), quota: { unit: 'jobs', perDay: 10 } },
    );
    const jobId = JSON.parse(String((accepted as { body: string }).body)).jobId as string;
    const meta = { userId, correlationId: 'c', occurredAt: new Date().toISOString() };
    /** Runs every queued attempt until the queue is empty. */
    const drain = async () => {
      for (let m = queue.take('callbacks'); m.length > 0; m = queue.take('callbacks')) {
        for (const message of m) await deliverCallback(message, deps);
      }
    };
    return { deps, queue, received, jobId, meta, drain };
  }

  it('sends one validly signed callback per terminal event, however often the event is handled', async () => {
    const { deps, received, jobId, meta, drain } = await setup([]);
    const composed = makeVideoComposed({ jobId, meta });

    for (let i = 0; i < 3; i++) await handleTerminalEvent({ type: 'VideoComposed', detail: composed }, deps);
    await drain();
    await handleTerminalEvent({ type: 'VideoComposed', detail: composed }, deps);
    await handleTerminalEvent({ type: 'JobFailed', detail: makeJobFailed({ jobId, meta }) }, deps);
    await drain();

    expect(received).toHaveLength(1);
    const payload = new Webhook(SECRET).verify(received[0]?.body ?? '', received[0]?.headers ?? {}) as {
      type: string;
      data: { jobId: string };
    };
    expect(payload).toMatchObject({ type: 'job.completed', data: { jobId, status: 'COMPLETED' } });
  });

  it('calls back job.completed when a job that failed by a dead letter completes after a redrive, once', async () => {
    // Prepare: the job failed by a dead letter (retryable); its failure callback went out.
    const { deps, received, jobId, meta, drain } = await setup([]);
    const deadLetter = makeJobFailed({ jobId, meta, stage: 'plan', code: 'DEAD_LETTER', retryable: true });
    await handleTerminalEvent({ type: 'JobFailed', detail: deadLetter }, deps);
    await drain();

    // Act: the redriven work completes; then duplicates and a replay of both events.
    const composed = makeVideoComposed({ jobId, meta });
    for (let i = 0; i < 2; i++) await handleTerminalEvent({ type: 'VideoComposed', detail: composed }, deps);
    await handleTerminalEvent({ type: 'JobFailed', detail: deadLetter }, deps);
    await drain();

    // Assess
    const types = received.map((r) => (JSON.parse(r.body) as { type: string }).type);
    expect(types).toEqual(['job.failed', 'job.completed']);
  });

  it('never turns a job cancelled before its video was composed into a completed one', async () => {
    const { deps, received, jobId, meta, drain } = await setup([]);
    const cancelledAt = { ...meta, occurredAt: '2026-12-05T10:00:00.000Z' };
    const composedAt = { ...meta, occurredAt: '2026-12-05T10:00:01.000Z' };
    await handleTerminalEvent(
      {
        type: 'JobFailed',
        detail: makeJobFailed({ jobId, meta: cancelledAt, stage: 'cancel', code: 'CANCELLED' }),
      },
      deps,
    );

    await handleTerminalEvent(
      { type: 'VideoComposed', detail: makeVideoComposed({ jobId, meta: composedAt }) },
      deps,
    );
    await drain();

    expect(received.map((r) => (JSON.parse(r.body) as { type: string }).type)).toEqual(['job.failed']);
  });

  it('drops a failure callback not yet sent when a video composed before the failure arrives', async () => {
    // Prepare: the timeout is recorded first; its callback waits in the queue.
    const { deps, received, jobId, meta, drain } = await setup([]);
    const timeout = makeJobFailed({
      jobId,
      meta: { ...meta, occurredAt: '2026-12-05T10:00:05.000Z' },
      stage: 'timeout',
      code: 'DEADLINE_EXCEEDED',
    });
    await handleTerminalEvent({ type: 'JobFailed', detail: timeout }, deps);

    // Act: the video, composed before the sweeper ran, arrives second.
    const composed = makeVideoComposed({ jobId, meta: { ...meta, occurredAt: '2026-12-05T10:00:04.000Z' } });
    await handleTerminalEvent({ type: 'VideoComposed', detail: composed }, deps);
    await drain();

    // Assess: only the winner was sent; the loser is visibly superseded.
    expect(received.map((r) => (JSON.parse(r.body) as { type: string }).type)).toEqual(['job.completed']);
    expect(await readDelivery(jobId, 'job.failed', deps)).toMatchObject({
      status: 'SUPERSEDED',
      attempts: 0,
    });
  });

  it('follows a failure callback already sent with a job.completed that names what it supersedes', async () => {
    // Prepare: the timeout won first and its callback went out.
    const { deps, received, jobId, meta, drain } = await setup([]);
    const timeout = makeJobFailed({
      jobId,
      meta: { ...meta, occurredAt: '2026-12-05T10:00:05.000Z' },
      stage: 'timeout',
      code: 'DEADLINE_EXCEEDED',
    });
    await handleTerminalEvent({ type: 'JobFailed', detail: timeout }, deps);
    await drain();

    // Act: the earlier video arrives, then both events again (a replay).
    const composed = makeVideoComposed({ jobId, meta: { ...meta, occurredAt: '2026-12-05T10:00:04.000Z' } });
    await handleTerminalEvent({ type: 'VideoComposed', detail: composed }, deps);
    await handleTerminalEvent({ type: 'JobFailed', detail: timeout }, deps);
    await handleTerminalEvent({ type: 'VideoComposed', detail: composed }, deps);
    await drain();

    // Assess
    const payloads = received.map(
      (r) => JSON.parse(r.body) as { type: string; timestamp: string; data: object },
    );
    expect(payloads.map((p) => p.type)).toEqual(['job.failed', 'job.completed']);
    expect(payloads[1]?.data).toMatchObject({
      status: 'COMPLETED',
      supersedes: 'job.failed',
      occurredAt: '2026-12-05T10:00:04.000Z',
    });
    expect(Date.parse(payloads[1]?.timestamp ?? '')).toBeGreaterThanOrEqual(
      Date.parse(payloads[0]?.timestamp ?? ''),
    );
  });

  it('calls back again under a new webhook-id when the outcome flips back to an event already called back', async () => {
    // Prepare: a dead letter (provisional) is called back, then a video replaces it and is called back.
    const { deps, received, jobId, meta, drain } = await setup([]);
    const at = (second: number) => ({ ...meta, occurredAt: `2026-12-05T10:00:0${second}.000Z` });
    const deadLetter = makeJobFailed({
      jobId,
      meta: at(3),
      stage: 'plan',
      code: 'DEAD_LETTER',
      retryable: true,
    });
    await handleTerminalEvent({ type: 'JobFailed', detail: deadLetter }, deps);
    await drain();
    await handleTerminalEvent(
      { type: 'VideoComposed', detail: makeVideoComposed({ jobId, meta: at(2) }) },
      deps,
    );
    await drain();

    // Act: a cancel sent before the video was composed arrives last, twice.
    const cancel = makeJobFailed({ jobId, meta: at(1), stage: 'cancel', code: 'CANCELLED' });
    await handleTerminalEvent({ type: 'JobFailed', detail: cancel }, deps);
    await handleTerminalEvent({ type: 'JobFailed', detail: cancel }, deps);
    await drain();

    // Assess: three callbacks, the last one the cancel, with a webhook-id of its own.
    const sent = received.map((r) => ({
      id: r.headers['webhook-id'],
      ...(JSON.parse(r.body) as { type: string; data: { status: string; supersedes?: string } }),
    }));
    expect(sent.map((c) => `${c.type}/${c.data.status}`)).toEqual([
      'job.failed/FAILED',
      'job.completed/COMPLETED',
      'job.failed/CANCELLED',
    ]);
    expect(sent[2]?.data.supersedes).toBe('job.completed');
    expect(new Set(sent.map((c) => c.id)).size).toBe(3);
  });

  it('completes a job recorded as failed by a dead letter before outcome keys existed, and keeps a cancelled one cancelled', async () => {
    // Prepare: two jobs ended as the api recorded them before this rule (no outcomeKey).
    const redriven = await setup([]);
    const cancelled = await setup([]);
    const endedWithoutKey = (jobId: string, outcome: string, code: string) =>
      fixture.doc.send(
        new UpdateCommand({
          TableName: fixture.table,
          Key: { pk: apiJobPk(jobId), sk: API_JOB_SK },
          UpdateExpression: 'SET outcome = :o, endedAt = :at, refundedAt = :at, failure = :f',
          ExpressionAttributeValues: {
            ':o': outcome,
            ':at': '2026-12-05T10:00:00.000Z',
            ':f': { stage: 'plan', code, reason: 'x' },
          },
        }),
      );
    await endedWithoutKey(redriven.jobId, 'FAILED', 'DEAD_LETTER');
    await endedWithoutKey(cancelled.jobId, 'CANCELLED', 'CANCELLED');
    const composedAt = (meta: { userId: string; correlationId: string }) => ({
      ...meta,
      occurredAt: '2026-12-05T10:00:01.000Z',
    });

    // Act
    const outcomes = [
      await handleTerminalEvent(
        {
          type: 'VideoComposed',
          detail: makeVideoComposed({ jobId: redriven.jobId, meta: composedAt(redriven.meta) }),
        },
        redriven.deps,
      ),
      await handleTerminalEvent(
        {
          type: 'VideoComposed',
          detail: makeVideoComposed({ jobId: cancelled.jobId, meta: composedAt(cancelled.meta) }),
        },
        cancelled.deps,
      ),
    ];

    // Assess
    expect(outcomes).toEqual(['overturned', 'already-ended']);
    expect(await readApiJob(redriven.jobId, redriven.deps)).toMatchObject({
      outcome: 'COMPLETED',
      recoveredFailure: { code: 'DEAD_LETTER' },
    });
    expect((await readApiJob(cancelled.jobId, cancelled.deps))?.outcome).toBe('CANCELLED');
  });

  it('skips a redelivered attempt once the callback was delivered', async () => {
    const { deps, received, jobId, meta, queue } = await setup([]);
    await handleTerminalEvent({ type: 'JobFailed', detail: makeJobFailed({ jobId, meta }) }, deps);
    const [first] = queue.take('callbacks');

    const results = [
      await deliverCallback(first as DeliveryMessage, deps),
      await deliverCallback(first as DeliveryMessage, deps),
    ];

    expect(results).toEqual(['delivered', 'skipped']);
    expect(received).toHaveLength(1);
  });

  it('retries a failed delivery with growing, jittered delays, then dead-letters it visibly', async () => {
    const failing = { ok: false as const, error: 'the receiver answered 503' };
    const { deps, received, jobId, meta, queue } = await setup([failing, failing, failing]);
    await handleTerminalEvent({ type: 'JobFailed', detail: makeJobFailed({ jobId, meta }) }, deps);

    const results: string[] = [];
    const delays: number[] = [];
    for (let round = 0; round < 5; round++) {
      const queued = queue.sent.filter((q) => q.queueUrl === 'callbacks');
      if (queued.length === 0) break;
      delays.push(...queued.map((q) => q.delaySec));
      for (const message of queue.take('callbacks')) results.push(await deliverCallback(message, deps));
    }

    expect(results).toEqual(['retry-scheduled', 'retry-scheduled', 'dead-lettered']);
    expect(received).toHaveLength(3);
    // First attempt at once, then up to 5*2^1 and 5*2^2 seconds (random 0.999 of the cap).
    expect(delays).toEqual([0, 9, 19]);
    expect(queue.sent.filter((q) => q.queueUrl === 'callbacks-dlq')).toHaveLength(1);
    expect(await readDelivery(jobId, 'job.failed', deps)).toMatchObject({
      status: 'DEAD_LETTERED',
      attempts: 3,
      lastError: 'the receiver answered 503',
    });
  });

  const registerUrl = (deps: DeliverCallbackDeps, userId: string, url: string) =>
    fixture.doc.send(
      new PutCommand({
        TableName: deps.table,
        Item: {
          pk: userPk(userId),
          sk: CALLBACK_SK,
          url,
          secret: SECRET,
          registeredAt: new Date().toISOString(),
        },
      }),
    );

  it('sends a pending delivery to the URL registered at send time, not the one captured when the job ended', async () => {
    // Prepare: the job ends with one URL registered; the user replaces it before the attempt runs.
    const { deps, received, jobId, meta, drain } = await setup([]);
    await handleTerminalEvent({ type: 'JobFailed', detail: makeJobFailed({ jobId, meta }) }, deps);
    const userId = meta.userId;
    await registerUrl(deps, userId, 'https://new-hooks.example.com/reelay');

    // Act
    await drain();

    // Assess
    expect(received.map((r) => r.url)).toEqual(['https://new-hooks.example.com/reelay']);
  });

  it('dead-letters at once, without calling it, a delivery whose registered URL is unsafe at send time', async () => {
    // Prepare: the registration is rewritten to an IPv4-compatible loopback after the job ended.
    const { deps, received, jobId, meta, queue } = await setup([]);
    await handleTerminalEvent({ type: 'JobFailed', detail: makeJobFailed({ jobId, meta }) }, deps);
    await registerUrl(deps, meta.userId, 'https://[::127.0.0.1]/hook');

    // Act
    const results: string[] = [];
    for (const message of queue.take('callbacks')) results.push(await deliverCallback(message, deps));

    // Assess: one attempt, no retry queued, the DLQ holds it and the delivery says why.
    expect(results).toEqual(['dead-lettered']);
    expect(received).toHaveLength(0);
    expect(queue.take('callbacks')).toHaveLength(0);
    expect(queue.sent.filter((q) => q.queueUrl === 'callbacks-dlq')).toHaveLength(1);
    expect(await readDelivery(jobId, 'job.failed', deps)).toMatchObject({
      status: 'DEAD_LETTERED',
      attempts: 1,
      lastError: expect.stringContaining('IPv4-compatible'),
    });
  });

  it('retries a delivery whose host does not resolve for now', async () => {
    const { deps, jobId, meta, queue } = await setup([]);
    await handleTerminalEvent({ type: 'JobFailed', detail: makeJobFailed({ jobId, meta }) }, deps);
    const dnsDown = {
      ...deps,
      resolve: async () => {
        throw new Error('EAI_AGAIN');
      },
    };

    const [first] = queue.take('callbacks');
    const result = await deliverCallback(first as DeliveryMessage, dnsDown);

    expect(result).toBe('retry-scheduled');
  });

  it('caps the back-off at SQS’s 900 s and keeps it random below the cap', () => {
    expect(backoffDelaySec(20, 5, () => 0.999)).toBe(899);
    expect(backoffDelaySec(1, 5, () => 0)).toBe(0);
  });
});
