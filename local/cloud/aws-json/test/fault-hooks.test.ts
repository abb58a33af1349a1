import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { MessageLifecycleEvent } from '../src';
import { type EmulatorFixture, eventually, startFixture } from './emulator-fixture';

describe('emulator hooks for fault injection', () => {
  let fixture: EmulatorFixture;

  beforeEach(async () => {
    fixture = await startFixture();
  });

  afterEach(async () => {
    await fixture.close();
  });

  const createQueue = (name: string, attributes?: Record<string, string>) =>
    fixture.createQueue(name, attributes);

  const receiveBodies = async (queueUrl: string) =>
    (
      await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }))
    ).Messages?.map((m) => m.Body) ?? [];

  it('holds messages back and releases them in the order the caller chooses', async () => {
    // Prepare
    const queueUrl = await createQueue('held');
    for (const body of ['first', 'second', 'third'])
      await fixture.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    const removeHook = fixture.emulator.sqs.addBeforeDeliverHook(() => 'hold');

    // Act
    const whileHeld = await receiveBodies(queueUrl);
    removeHook();
    const held = fixture.emulator.sqs.heldMessages('held');
    const released = fixture.emulator.sqs.releaseHeld('held', held.map((m) => m.messageId).reverse());
    const afterRelease = await receiveBodies(queueUrl);

    // Assess
    expect(whileHeld).toEqual([]);
    expect(held.map((m) => m.body)).toEqual(['first', 'second', 'third']);
    expect(fixture.emulator.sqs.listQueueDepths()[0]).toMatchObject({ inFlight: 3, delayed: 0 });
    expect(released).toBe(3);
    expect(afterRelease).toEqual(['third', 'second', 'first']);
  });

  it('answers matching PutEvents entries with an ErrorCode and accepts the others', async () => {
    // Prepare
    const removeFault = fixture.emulator.events.addPutEventsFault((entry) =>
      entry.DetailType === 'Refused' ? { ErrorCode: 'InternalFailure', ErrorMessage: 'injected' } : undefined,
    );
    const entry = (detailType: string) => ({ Source: 'test', DetailType: detailType, Detail: '{}' });

    // Act
    const result = await fixture.events.send(
      new PutEventsCommand({ Entries: [entry('Accepted'), entry('Refused'), entry('Accepted')] }),
    );
    removeFault();
    const afterRemoval = await fixture.events.send(new PutEventsCommand({ Entries: [entry('Refused')] }));

    // Assess
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual(['ok', 'InternalFailure', 'ok']);
    expect(afterRemoval.FailedEntryCount).toBe(0);
  });

  it('drops a poison message for a short while per receive, so it dead-letters after maxReceiveCount quickly', async () => {
    // Prepare: a queue with a one-hour visibility timeout; the hook drops "poison" for 50 ms a receive.
    await createQueue('poison-dlq');
    const queueUrl = await createQueue('poison', {
      VisibilityTimeout: '3600',
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: fixture.emulator.sqs.queueArn('poison-dlq'),
        maxReceiveCount: 3,
      }),
    });
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));
    const removeHook = fixture.emulator.sqs.addBeforeDeliverHook((_queue, m) =>
      m.body === 'poison' ? { dropForMs: 50 } : undefined,
    );

    // Act: receive until the message has moved (each receive counts, none returns it).
    const bodies: string[] = [];
    await eventually(async () => {
      bodies.push(...((await receiveBodies(queueUrl)) as string[]));
      const depths = fixture.emulator.sqs.listQueueDepths();
      return depths.find((q) => q.name === 'poison-dlq')?.visible === 1 ? true : undefined;
    }, 30_000);
    removeHook();

    // Assess
    expect(bodies).toEqual([]);
    expect(fixture.emulator.sqs.listQueueDepths().find((q) => q.name === 'poison')).toMatchObject({
      visible: 0,
      inFlight: 0,
    });
  });

  it('reports deletions and redrive moves, so a test can account for every message', async () => {
    // Prepare
    const dlqUrl = await createQueue('orders-dlq');
    const queueUrl = await createQueue('orders', {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: fixture.emulator.sqs.queueArn('orders-dlq'),
        maxReceiveCount: 3,
      }),
    });
    const events: MessageLifecycleEvent[] = [];
    fixture.emulator.sqs.onLifecycle((event) => events.push(event));
    const sent = await fixture.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'a' }));
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: 'b' }));

    // Act
    const received = await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    await fixture.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: received.Messages?.[0]?.ReceiptHandle }),
    );
    await fixture.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: fixture.emulator.sqs.queueArn('orders-dlq'),
        DestinationArn: fixture.emulator.sqs.queueArn('orders'),
      }),
    );
    await eventually(() => (events.length >= 2 ? true : undefined));

    // Assess
    expect(events[0]).toEqual({ type: 'deleted', queueName: 'orders', messageId: sent.MessageId });
    expect(events[1]).toMatchObject({ type: 'moved', queueName: 'orders-dlq', toQueueName: 'orders' });
  });
});
