import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, PurgeQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { EventPublisher, jobRequested, makeJobRequested, PublishFailedError, SOURCES } from '@reelay/events';
import { TEST_STAGE } from '../../../../test/support/test-stage';
import { ChaosCrashError, formatChaosReport } from '../../src/chaos';
import { type EmbeddedCloud, startEmbeddedCloud } from '../../src/embedded-cloud';
import { LambdaInvocationError } from '../../src/lambda/local-function';
import {
  addChaosFixture,
  type ChaosFixture,
  eventually,
  RULE_DLQ,
  TABLE,
  TEST_BUS,
  TEST_QUEUE,
  TEST_RULE,
} from './chaos-fixture';
import type { SideEffectStep } from './fixtures/side-effects-handler';

describe('the embedded cloud fault injector', () => {
  let cloud: EmbeddedCloud;
  let fixture: ChaosFixture;
  let publisher: EventPublisher;

  beforeAll(async () => {
    cloud = await startEmbeddedCloud({ stage: TEST_STAGE });
    fixture = await addChaosFixture(cloud);
    publisher = new EventPublisher({
      client: cloud.clients.events,
      busName: TEST_BUS,
      source: SOURCES.api,
      sleep: async () => undefined,
    });
  }, 180_000);

  afterAll(async () => {
    await fixture?.close();
    await cloud?.close();
  });

  afterEach(() => cloud.chaos.clear());

  const publishJob = async () => {
    const event = makeJobRequested();
    await publisher.publish(jobRequested, event);
    return event.jobId;
  };
  const receivedJob = (jobId: string) => fixture.received.filter((r) => r.detail.jobId === jobId);
  const observe = async (runId: string): Promise<Record<SideEffectStep, boolean>> => {
    const s3 = await cloud.clients.s3
      .send(new HeadObjectCommand({ Bucket: cloud.names.mediaBucket, Key: `chaos/${runId}` }))
      .then(() => true)
      .catch(() => false);
    const item = await cloud.clients.dynamodb.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: runId } }, ConsistentRead: true }),
    );
    // Routing to the queue happens on the turn after PutEvents: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const queued = [
      ...cloud.emulator.sqs.peekMessages(TEST_QUEUE, 10_000),
      ...fixture.received.map((r) => ({ body: JSON.stringify(r.detail) })),
    ];
    return {
      s3,
      dynamodb: item.Item !== undefined,
      events: queued.some((m) => m.body.includes(runId)),
      replicate: cloud.models.predictions().some((p) => JSON.stringify(p).includes(runId)),
    };
  };
  const nothing = { s3: false, dynamodb: false, events: false, replicate: false };
  const operation: Record<SideEffectStep, string> = {
    s3: 's3:PutObject',
    dynamodb: 'dynamodb:PutItem',
    events: 'events:PutEvents',
    replicate: 'replicate:CreatePrediction',
  };

  describe('SQS deliveries', () => {
    it('delivers a matching message twice to its consumer, with the same MessageId', async () => {
      // Prepare
      const fault = cloud.chaos.duplicate({ queue: TEST_QUEUE, detailType: 'JobRequested', times: 1 });

      // Act
      const duplicated = await publishJob();
      const single = await publishJob();
      await eventually(() =>
        receivedJob(duplicated).length === 2 && receivedJob(single).length === 1 ? true : undefined,
      );

      // Assess
      const [first, second] = receivedJob(duplicated);
      expect(first?.messageId).toBe(second?.messageId);
      expect(fault.injected()).toBe(1);
    });

    it('releases held messages in reverse order when reordering', async () => {
      // Prepare
      const fault = cloud.chaos.reorder({ queue: TEST_QUEUE, window: 3, maxHoldMs: 60_000 });

      // Act
      const sent = [await publishJob(), await publishJob(), await publishJob()];
      await eventually(() => (sent.every((jobId) => receivedJob(jobId).length === 1) ? true : undefined));

      // Assess
      const order = fixture.received
        .filter((r) => sent.includes(String(r.detail.jobId)))
        .map((r) => r.detail.jobId);
      expect(order).toEqual([...sent].reverse());
      expect(fault.injected()).toBe(3);
      expect(cloud.chaos.report().faults.find((f) => f.id === fault.id)?.details.reordered).toBe(2);
    });

    it('holds a message back for the chosen delay', async () => {
      // Prepare
      cloud.chaos.delay({ queue: TEST_QUEUE, delayMs: 600 });

      // Act
      const publishedAt = Date.now();
      const jobId = await publishJob();
      const [record] = await eventually(() =>
        receivedJob(jobId).length === 1 ? receivedJob(jobId) : undefined,
      );

      // Assess
      expect((record?.receivedAt ?? 0) - publishedAt).toBeGreaterThanOrEqual(600);
    });
  });

  describe('EventBridge', () => {
    it("sends a denied delivery to the rule target's dead-letter queue, then delivers again", async () => {
      // Prepare
      const fault = cloud.chaos.denyDelivery({ ruleName: TEST_RULE, times: 1 });

      // Act
      const denied = await publishJob();
      const delivered = await publishJob();
      const [dead] = await eventually(() => {
        const messages = cloud.emulator.sqs.peekMessages(RULE_DLQ);
        return messages.some((m) => m.body.includes(denied)) ? messages : undefined;
      });
      await eventually(() => (receivedJob(delivered).length === 1 ? true : undefined));

      // Assess
      expect(dead?.messageAttributes.ERROR_CODE?.StringValue).toBe('NO_PERMISSIONS');
      expect(receivedJob(denied)).toHaveLength(0);
      expect(fault.injected()).toBe(1);
    });

    it('refuses some PutEvents entries, and the publisher re-sends only those', async () => {
      // Prepare
      const fault = cloud.chaos.failPutEvents({ source: SOURCES.api, times: 2 });
      const events = [makeJobRequested(), makeJobRequested(), makeJobRequested()];

      // Act
      await publisher.publishAll(events.map((detail) => ({ definition: jobRequested, detail })));
      await eventually(
        () => (events.every((e) => receivedJob(e.jobId).length > 0) ? true : undefined),
        () => ({
          received: events.map((e) => receivedJob(e.jobId).length),
          queue: cloud.emulator.sqs.peekMessages(TEST_QUEUE),
          report: cloud.chaos.report(),
          deliveries: cloud.emulator.events.deliveryCounts().filter((c) => c.ruleArn.includes(TEST_RULE)),
        }),
      );

      // Assess
      expect(events.map((e) => receivedJob(e.jobId).length)).toEqual([1, 1, 1]);
      expect(fault.injected()).toBe(2);
    });

    it('makes a publisher without retries fail when an entry is refused', async () => {
      // Prepare
      cloud.chaos.failPutEvents({ detailType: 'JobRequested', errorCode: 'ThrottlingException' });
      const impatient = new EventPublisher({
        client: cloud.clients.events,
        busName: TEST_BUS,
        source: SOURCES.api,
        maxAttempts: 1,
      });

      // Act
      const publishing = impatient.publish(jobRequested, makeJobRequested());

      // Assess
      await expect(publishing).rejects.toBeInstanceOf(PublishFailedError);
      await expect(publishing).rejects.toThrow(/ThrottlingException/);
    });
  });

  describe('Lambda crashes at a side effect', () => {
    it.each(['s3', 'dynamodb', 'events', 'replicate'] as const)(
      'crashing before %s leaves no trace of it or of what follows',
      async (effect) => {
        // Prepare
        const follow: SideEffectStep = effect === 's3' ? 'dynamodb' : 's3';
        const fault = cloud.chaos.crash({
          functionName: 'chaos-side-effects',
          at: `before:${operation[effect]}`,
        });
        const runId = `before-${effect}-${randomUUID()}`;

        // Act
        const invoking = fixture.sideEffects.invoke({ runId, steps: [effect, follow] });

        // Assess
        await expect(invoking).rejects.toBeInstanceOf(ChaosCrashError);
        expect(await observe(runId)).toEqual(nothing);
        expect(fault.injected()).toBe(1);
      },
    );

    it.each(['s3', 'dynamodb', 'events', 'replicate'] as const)(
      'crashing after %s keeps it and nothing that follows',
      async (effect) => {
        // Prepare
        const follow: SideEffectStep = effect === 's3' ? 'dynamodb' : 's3';
        cloud.chaos.crash({ functionName: 'chaos-side-effects', at: `after:${operation[effect]}` });
        const runId = `after-${effect}-${randomUUID()}`;

        // Act
        const invoking = fixture.sideEffects.invoke({ runId, steps: [effect, follow] });

        // Assess
        await expect(invoking).rejects.toMatchObject({ errorType: 'ChaosCrashError' });
        expect(await observe(runId)).toEqual({ ...nothing, [effect]: true });
      },
    );

    it('crashes only the chosen function, only the chosen number of times', async () => {
      // Prepare
      const fault = cloud.chaos.crash({ functionName: 'chaos-side-effects', at: 'before:s3:*', times: 1 });
      const steps: SideEffectStep[] = ['s3', 'dynamodb'];

      // Act
      const bystander = await fixture.bystander.invoke({ runId: `bystander-${randomUUID()}`, steps });
      const crashed = await fixture.sideEffects
        .invoke({ runId: `first-${randomUUID()}`, steps })
        .catch((e) => e);
      const retried = await fixture.sideEffects.invoke({ runId: `second-${randomUUID()}`, steps });

      // Assess
      expect(bystander).toEqual({ done: steps });
      expect(crashed).toBeInstanceOf(ChaosCrashError);
      expect(retried).toEqual({ done: steps });
      expect(fault.injected()).toBe(1);
    });

    it('a crash picked per invocation past its last side effect lands after the handler returned', async () => {
      // Prepare: every invocation picked, at one of its first 50 points (seed 4 picks the 35th);
      // this one reaches 4.
      const fault = cloud.chaos.crash({
        functionName: 'chaos-side-effects',
        at: '*:*:*',
        per: 'invocation',
        probability: 1,
        maxPoint: 50,
        seed: 4,
      });
      const runId = `end-${randomUUID()}`;

      // Act
      const crashed = await fixture.sideEffects.invoke({ runId, steps: ['s3', 'dynamodb'] }).catch((e) => e);

      // Assess: it crashed at its end, with both writes made.
      expect(crashed).toBeInstanceOf(ChaosCrashError);
      expect(crashed).toMatchObject({ point: 'end:invocation' });
      expect(await observe(runId)).toEqual({ ...nothing, s3: true, dynamodb: true });
      expect(fault.injected()).toBe(1);
    });

    it('refuses a fault on a function that does not exist or at an unknown point', () => {
      expect(() =>
        cloud.chaos.crash({ functionName: 'no-such-function', at: 'before:s3:PutObject' }),
      ).toThrow(/no function no-such-function/);
      expect(() =>
        cloud.chaos.crash({ functionName: 'chaos-side-effects', at: 'before:s3:GetObject' }),
      ).toThrow(/not <before\|after\|\*>/);
    });
  });

  describe('Lambda timeouts', () => {
    it('times the invocation out before the handler does anything', async () => {
      // Prepare
      const fault = cloud.chaos.timeout({ functionName: 'chaos-side-effects', afterMs: 200 });
      const runId = `timeout-start-${randomUUID()}`;

      // Act
      const invoking = fixture.sideEffects.invoke({ runId, steps: ['s3'] });

      // Assess
      await expect(invoking).rejects.toMatchObject({ errorType: 'Sandbox.Timedout' });
      expect((await observe(runId)).s3).toBe(false);
      expect(fault.injected()).toBe(1);
    });

    it('times the invocation out where it hangs: after the first side effect, before the second', async () => {
      // Prepare
      cloud.chaos.timeout({ functionName: 'chaos-side-effects', at: 'after:s3:PutObject', afterMs: 200 });
      const runId = `timeout-point-${randomUUID()}`;

      // Act
      const invoking = fixture.sideEffects.invoke({ runId, steps: ['s3', 'dynamodb'] });

      // Assess
      await expect(invoking).rejects.toBeInstanceOf(LambdaInvocationError);
      await expect(invoking).rejects.toMatchObject({ errorType: 'Sandbox.Timedout' });
      expect(await observe(runId)).toMatchObject({ s3: true, dynamodb: false });
    });
  });

  describe('Replicate', () => {
    it('counts a model server fault armed through the injector when a create meets it', async () => {
      // Prepare
      const fault = cloud.chaos.replicate({ kind: 'server-error', status: 503, on: 'create', times: 1 });

      // Act
      const invoking = fixture.sideEffects.invoke({ runId: `models-${randomUUID()}`, steps: ['replicate'] });

      // Assess
      await expect(invoking).rejects.toThrow(/503/);
      expect(fault.injected()).toBe(1);
    });
  });

  describe('accounting', () => {
    it('reports a purged message as lost', async () => {
      // Prepare
      const queueUrl = (await cloud.clients.sqs.send(new CreateQueueCommand({ QueueName: 'chaos-scratch' })))
        .QueueUrl;
      const sent = await cloud.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'doomed' }),
      );

      // Act
      await cloud.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));

      // Assess
      expect(cloud.chaos.audit.fateOf(sent.MessageId ?? '')).toBe('lost');
      expect(cloud.chaos.report().messages.lost.map((m) => m.messageId)).toContain(sent.MessageId);
    });

    it('counts every injected fault, and every other message is consumed or dead-lettered', async () => {
      // Act
      const report = cloud.chaos.report();
      const lines = formatChaosReport(report);

      // Assess
      expect(report.totals).toMatchObject({
        duplicate: 1,
        reorder: 3,
        delay: 1,
        'deny-delivery': 1,
        'fail-put-events': 3,
        crash: 10,
        timeout: 2,
        replicate: 1,
      });
      expect(report.messages.lost.map((m) => m.body)).toEqual(['doomed']);
      expect(report.messages.deadLettered).toBe(1);
      expect(report.messages.pending).toBe(0);
      expect(lines.at(-1)).toMatch(/lost 1/);
    });
  });
});
