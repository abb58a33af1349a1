import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateEventBusCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  decodeEvent,
  type EventMeta,
  jobFailed,
  jobSpecSchema,
  makeJobFailed,
  makeVideoComposed,
  SOURCES,
  videoComposed,
} from '@reelay/events';
import { readJobRecord } from '@reelay/job-records';
import { Webhook } from 'standardwebhooks';
import { type EmulatorFixture, startFixture } from '../../local/cloud/aws-json/test/emulator-fixture';
import { type DeliverCallbackDeps, deliverCallback } from '../../services/api/src/callbacks/deliver-callback';
import { deliveryMessageSchema } from '../../services/api/src/callbacks/deliveries';
import { postCallback } from '../../services/api/src/callbacks/post-callback';
import { acceptJob } from '../../services/api/src/jobs/accept-job';
import { readApiJob } from '../../services/api/src/jobs/create-job';
import { getJob } from '../../services/api/src/jobs/get-job';
import { handleTerminalEvent } from '../../services/api/src/notify/handle-terminal-event';
import { CALLBACK_SK, quotaSk, userPk } from '../../services/api/src/table/api-table';
import {
  type ApiTableFixture,
  RecordingPublisher,
  startApiTable,
} from '../../services/api/test/support/api-table';
import { LEDGER_EVENTS } from '../../services/ledger/src/projection/ledger-events';
import { projectEvent } from '../../services/ledger/src/projection/project-event';

/**
 * One job, two terminal events that disagree (a VideoComposed and a JobFailed), each service's queue
 * delivering them in its own order: the ledger, the api, GET /jobs/{id} and the callbacks must all end on
 * the outcome the shared rule picks (libs/events terminal-outcome.ts), whichever event arrives first where.
 *
 * The path is the real one from the bus on: the events are put on an EventBridge bus (the local twin),
 * rules deliver them to each service's SQS queue with the EventBridge envelope in the body, each service
 * decodes them with the same decoder its handler uses and runs its own consumer logic against DynamoDB
 * Local, and callbacks go through the callbacks queue and a signed HTTP POST to a local receiver.
 *
 * Each job has its own queues (rules that match its jobId, its own callbacks queue), so the cases run
 * side by side (test.concurrent): one case never takes another's messages, and a case's callbacks still
 * go out exactly when it drains them.
 */

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const JOBS_TABLE = 'reelay-jobs-outcome-test';

interface Received {
  type: string;
  timestamp: string;
  data: { jobId: string; status: string; supersedes?: string; stage?: string };
}

describe('one outcome per job when a video and a failure conflict', () => {
  let bus: EmulatorFixture;
  let db: ApiTableFixture;
  let receiver: { url: string; received: Received[]; close(): Promise<void> };
  let userSeq = 0;

  beforeAll(async () => {
    [bus, db, receiver] = await Promise.all([startFixture(), startApiTable(), startReceiver()]);
    await db.createTable(JOBS_TABLE);
    await bus.events.send(new CreateEventBusCommand({ Name: 'reelay-outcome' }));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([bus?.close(), db?.close(), receiver?.close()]);
  });

  type Queues = Record<'ledger' | 'api' | 'callbacks', string>;

  /**
   * The job's queues: the ledger's and the api's, each fed by a rule of the bus that takes the job's
   * terminal events (as the services' rules take every job's), and its callbacks queue.
   */
  async function queuesFor(jobId: string, n: number): Promise<Queues> {
    const queues: Queues = { ledger: '', api: '', callbacks: '' };
    for (const service of ['ledger', 'api'] as const) {
      queues[service] = await bus.createQueue(`reelay-outcome-${service}-${n}`);
      const { Attributes } = await bus.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queues[service], AttributeNames: ['QueueArn'] }),
      );
      await bus.events.send(
        new PutRuleCommand({
          Name: `${service}-terminal-${n}`,
          EventBusName: 'reelay-outcome',
          EventPattern: JSON.stringify({
            'detail-type': ['VideoComposed', 'JobFailed'],
            detail: { jobId: [jobId] },
          }),
        }),
      );
      await bus.events.send(
        new PutTargetsCommand({
          Rule: `${service}-terminal-${n}`,
          EventBusName: 'reelay-outcome',
          Targets: [{ Id: service, Arn: Attributes?.QueueArn }],
        }),
      );
    }
    queues.callbacks = await bus.createQueue(`reelay-outcome-callbacks-${n}`);
    return queues;
  }

  const apiDeps = (queues: Queues): DeliverCallbackDeps => ({
    doc: db.doc,
    table: db.table,
    sqs: bus.sqs,
    queueUrl: queues.callbacks,
    dlqUrl: queues.callbacks,
    policy: { allowLoopbackHttp: true },
    post: postCallback,
    maxAttempts: 3,
    backoffBaseSec: 0,
  });

  /** A job the api accepted (one quota unit taken) and the ledger saw requested, with a callback registered. */
  async function acceptedJob() {
    const n = ++userSeq;
    const userId = `outcome-user-${n}`;
    await db.doc.send(
      new PutCommand({
        TableName: db.table,
        Item: {
          pk: userPk(userId),
          sk: CALLBACK_SK,
          url: receiver.url,
          secret: SECRET,
          registeredAt: new Date().toISOString(),
        },
      }),
    );
    const publisher = new RecordingPublisher();
    const accepted = await acceptJob(
      { userId, spec: jobSpecSchema.parse({ prompt: 'a lighthouse' }), uploadKeys: [] },
      { doc: db.doc, table: db.table, publisher, quota: { unit: 'jobs', perDay: 10 } },
    );
    const jobId = JSON.parse(String(accepted.body)).jobId as string;
    const requested = publisher.published[0];
    if (!requested) throw new Error('the api published no JobRequested');
    await projectEvent(
      {
        type: 'JobRequested',
        detail: requested,
        envelope: {
          id: 'r',
          detailType: 'JobRequested',
          source: SOURCES.api,
          time: requested.meta.occurredAt,
        },
      },
      { doc: db.doc, table: JOBS_TABLE },
    );
    return { jobId, userId, correlationId: requested.meta.correlationId, queues: await queuesFor(jobId, n) };
  }

  /** Puts one event on the bus as its producer would. */
  async function putOnBus(source: string, detailType: string, detail: unknown) {
    const result = await bus.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'reelay-outcome',
            Source: source,
            DetailType: detailType,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
  }

  /** Receives every message waiting on a queue (the rule delivered them before PutEvents answered). */
  async function receiveAll(queueUrl: string, count: number): Promise<string[]> {
    const bodies: string[] = [];
    while (bodies.length < count) {
      const { Messages = [] } = await bus.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of Messages) {
        bodies.push(String(m.Body));
        await bus.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
    return bodies;
  }

  /** Runs every queued callback attempt until the callbacks queue is empty, as deliverCallback would. */
  async function drainCallbacks(queues: Queues) {
    for (;;) {
      const { Messages = [] } = await bus.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues.callbacks,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
      if (Messages.length === 0) return;
      for (const m of Messages) {
        await deliverCallback(deliveryMessageSchema.parse(JSON.parse(String(m.Body))), apiDeps(queues));
        await bus.sqs.send(
          new DeleteMessageCommand({ QueueUrl: queues.callbacks, ReceiptHandle: m.ReceiptHandle }),
        );
      }
    }
  }

  type Order = 'video-first' | 'failure-first';
  const ORDERS: Order[] = ['video-first', 'failure-first'];
  const inOrder = <T>(bodies: T[], isVideo: (b: T) => boolean, order: Order) =>
    [...bodies].sort((a, b) =>
      isVideo(a) === isVideo(b) ? 0 : isVideo(a) === (order === 'video-first') ? -1 : 1,
    );

  /**
   * The pair: a cancel sent by the user and a video composed a second apart. `winner` says which
   * happened first; the other happened one second later.
   */
  const scenarios = [
    { winner: 'video', failure: { stage: 'timeout', code: 'DEADLINE_EXCEEDED' } },
    { winner: 'failure', failure: { stage: 'cancel', code: 'CANCELLED' } },
    { winner: 'video', failure: { stage: 'cancel', code: 'CANCELLED' } },
  ] as const;

  const cases = scenarios.flatMap((scenario) =>
    ORDERS.flatMap((ledgerOrder) => ORDERS.map((apiOrder) => ({ ...scenario, ledgerOrder, apiOrder }))),
  );

  test.concurrent.each(cases)(
    '$failure.stage vs video, the $winner first: the ledger gets them $ledgerOrder, the api $apiOrder, and all agree',
    async ({ winner, failure, ledgerOrder, apiOrder }) => {
      // Prepare: the two events, a second apart, the winner first.
      const job = await acceptedJob();
      const base = Date.now() - 60_000;
      const meta = (offsetSec: number): EventMeta => ({
        userId: job.userId,
        correlationId: job.correlationId,
        occurredAt: new Date(base + offsetSec * 1000).toISOString(),
      });
      const composed = makeVideoComposed({ jobId: job.jobId, meta: meta(winner === 'video' ? 0 : 1) });
      const failed = makeJobFailed({
        jobId: job.jobId,
        meta: meta(winner === 'video' ? 1 : 0),
        ...failure,
        reason: `the job ended by ${failure.stage}`,
        retryable: false,
      });
      await putOnBus(SOURCES.composer, 'VideoComposed', composed);
      await putOnBus(failure.stage === 'cancel' ? SOURCES.api : SOURCES.ledger, 'JobFailed', failed);

      // Act: each service takes its two messages in its own order; callbacks go out after each event,
      // so a callback for the event that arrived first is really sent before the second arrives.
      const ledgerEvents = (await receiveAll(job.queues.ledger, 2)).map((body) =>
        decodeEvent(body, LEDGER_EVENTS),
      );
      const apiEvents = (await receiveAll(job.queues.api, 2)).map((body) =>
        decodeEvent(body, [videoComposed, jobFailed]),
      );
      for (const event of inOrder(ledgerEvents, (e) => e.type === 'VideoComposed', ledgerOrder))
        await projectEvent(event, { doc: db.doc, table: JOBS_TABLE });
      for (const event of inOrder(apiEvents, (e) => e.type === 'VideoComposed', apiOrder)) {
        await handleTerminalEvent(
          event.type === 'VideoComposed'
            ? { type: 'VideoComposed', detail: event.detail }
            : { type: 'JobFailed', detail: event.detail },
          apiDeps(job.queues),
        );
        await drainCallbacks(job.queues);
      }

      // Assess
      const ledger = await readJobRecord(db.doc, JOBS_TABLE, job.jobId);
      const api = await readApiJob(job.jobId, apiDeps(job.queues));
      const got = await getJob(job.userId, job.jobId, {
        doc: db.doc,
        table: db.table,
        jobsTable: JOBS_TABLE,
        s3: new S3Client({
          region: 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
        mediaBucket: 'reelay-media-outcome',
      });
      const shown = JSON.parse(String(got.body)) as { status: string; failure?: { stage: string } };
      const callbacks = receiver.received
        .filter((r) => r.data.jobId === job.jobId)
        .sort((a, b) => a.timestamp.localeCompare(b.timestamp));
      const last = callbacks.at(-1);
      const quota = await db.doc.send(
        new GetCommand({
          TableName: db.table,
          Key: { pk: userPk(job.userId), sk: quotaSk(api?.quotaDay ?? '') },
        }),
      );

      const failedOutcome = failure.stage === 'cancel' ? 'CANCELLED' : 'FAILED';
      expect({
        ledger: ledger?.status,
        ledgerFailure: ledger?.failure?.stage,
        api: api?.outcome,
        get: shown.status,
        lastCallback: last && `${last.type}/${last.data.status}`,
        quotaUsed: quota.Item?.used,
      }).toEqual(
        winner === 'video'
          ? {
              ledger: 'COMPLETED',
              ledgerFailure: undefined,
              api: 'COMPLETED',
              get: 'COMPLETED',
              lastCallback: 'job.completed/COMPLETED',
              quotaUsed: 1,
            }
          : {
              ledger: failedOutcome,
              ledgerFailure: failure.stage,
              api: failedOutcome,
              get: failedOutcome,
              lastCallback: `job.failed/${failedOutcome}`,
              quotaUsed: 0,
            },
      );
      // A callback sent for the loser before the winner arrived is followed by the winner's, which says so.
      if (callbacks.length > 1) expect(last?.data.supersedes).toBe(callbacks[0]?.type);
      expect(callbacks.length).toBeLessThanOrEqual(2);
    },
  );

  test('a handler that loses a write race reads again and decides again: the pair handled all at once ends on the winner', async () => {
    // Prepare: a cancel that happened before the video; both events and their duplicates at once.
    const job = await acceptedJob();
    const base = Date.now() - 60_000;
    const meta = (offsetMs: number): EventMeta => ({
      userId: job.userId,
      correlationId: job.correlationId,
      occurredAt: new Date(base + offsetMs).toISOString(),
    });
    const composed = makeVideoComposed({ jobId: job.jobId, meta: meta(1) });
    const cancel = makeJobFailed({ jobId: job.jobId, meta: meta(0), stage: 'cancel', code: 'CANCELLED' });

    // Act: every handling races every other on the same items (conditional writes retry on a lost race).
    await Promise.all(
      [composed, cancel, composed, cancel].flatMap((detail) => {
        const event =
          'key' in detail
            ? ({ type: 'VideoComposed', detail } as const)
            : ({ type: 'JobFailed', detail: detail as typeof cancel } as const);
        return [
          handleTerminalEvent(event, apiDeps(job.queues)),
          projectEvent(
            { ...event, envelope: { id: 'x', detailType: event.type, source: SOURCES.composer, time: '' } },
            { doc: db.doc, table: JOBS_TABLE },
          ),
        ];
      }),
    );
    await drainCallbacks(job.queues);

    // Assess
    expect((await readJobRecord(db.doc, JOBS_TABLE, job.jobId))?.status).toBe('CANCELLED');
    expect((await readApiJob(job.jobId, apiDeps(job.queues)))?.outcome).toBe('CANCELLED');
    const last = receiver.received
      .filter((r) => r.data.jobId === job.jobId)
      .sort((a, b) => a.timestamp.localeCompare(b.timestamp))
      .at(-1);
    expect(last && `${last.type}/${last.data.status}`).toBe('job.failed/CANCELLED');
  });
});

/** A loopback receiver that checks each callback's Standard Webhooks signature and keeps its payload. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const webhook = new Webhook(SECRET);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        received.push(webhook.verify(Buffer.concat(chunks).toString('utf8'), headers) as Received);
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end(); // a bad signature: the api retries, and the test sees no callback
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
