import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  UnsupportedOperation,
} from '@aws-sdk/client-sqs';
import { md5OfMessageAttributes } from '../src/sqs/message-attributes';
import { type EmulatorFixture, eventually, startFixture } from './emulator-fixture';

describe('SQS emulator through the AWS SDK v3', () => {
  let fixture: EmulatorFixture;

  beforeEach(async () => {
    fixture = await startFixture();
  });

  afterEach(async () => {
    await fixture.close();
  });

  const createQueue = (name: string, attributes?: Record<string, string>) =>
    fixture.createQueue(name, attributes);

  const queueArn = async (queueUrl: string) =>
    (
      await fixture.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn as string;

  it('sends, receives and deletes a message', async () => {
    // Prepare
    const queueUrl = await createQueue('orders');
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"order":1}' }));

    // Act
    const received = await fixture.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    const message = received.Messages?.[0];
    await fixture.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message?.ReceiptHandle }),
    );

    // Assess
    expect(received.Messages).toHaveLength(1);
    expect(message?.Body).toBe('{"order":1}');
    expect(fixture.emulator.sqs.listQueueDepths()).toEqual([
      expect.objectContaining({ name: 'orders', visible: 0, inFlight: 0, delayed: 0 }),
    ]);
  });

  it('throws the typed QueueDoesNotExist for a missing queue', async () => {
    // Act
    const lookup = fixture.sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' }));

    // Assess
    await expect(lookup).rejects.toBeInstanceOf(QueueDoesNotExist);
  });

  it('refuses FIFO queues with a clear error', async () => {
    // Act
    const creation = fixture.sqs.send(
      new CreateQueueCommand({ QueueName: 'jobs.fifo', Attributes: { FifoQueue: 'true' } }),
    );

    // Assess
    await expect(creation).rejects.toBeInstanceOf(UnsupportedOperation);
  });

  it('creates queues idempotently and lists them by prefix', async () => {
    // Prepare
    const first = await createQueue('render-a', { VisibilityTimeout: '10' });

    // Act
    const second = await createQueue('render-a', { VisibilityTimeout: '10' });
    await createQueue('compose-a');
    const listed = await fixture.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'render' }));

    // Assess
    expect(second).toBe(first);
    expect(listed.QueueUrls).toEqual([first]);
  });

  it('redelivers a message after its visibility timeout with a higher ApproximateReceiveCount', async () => {
    // Prepare
    const queueUrl = await createQueue('visibility', { VisibilityTimeout: '1' });
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'again' }));
    const first = await fixture.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageSystemAttributeNames: ['All'] }),
    );

    // Act
    const hidden = await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    const second = await fixture.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        WaitTimeSeconds: 3,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );

    // Assess
    expect(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(first.Messages?.[0]?.Attributes?.SentTimestamp).toMatch(/^\d{13}$/);
    expect(first.Messages?.[0]?.Attributes?.ApproximateFirstReceiveTimestamp).toMatch(/^\d{13}$/);
    expect(hidden.Messages).toBeUndefined();
    expect(second.Messages?.[0]?.MessageId).toBe(first.Messages?.[0]?.MessageId);
    expect(second.Messages?.[0]?.Attributes).toEqual({ ApproximateReceiveCount: '2' });
  });

  it('makes a message visible at once when its visibility is changed to zero', async () => {
    // Prepare
    const queueUrl = await createQueue('change-visibility', { VisibilityTimeout: '30' });
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'retry me' }));
    const first = await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));

    // Act
    await fixture.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: first.Messages?.[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const second = await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));

    // Assess
    expect(second.Messages?.[0]?.Body).toBe('retry me');
  });

  it('moves a message to the dead-letter queue once it was received maxReceiveCount times', async () => {
    // Prepare
    const dlqUrl = await createQueue('work-dlq');
    const dlqArn = await queueArn(dlqUrl);
    const queueUrl = await createQueue('work', {
      VisibilityTimeout: '0',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });
    const sourceArn = await queueArn(queueUrl);
    const sent = await fixture.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'poison',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'scene' } },
      }),
    );

    // Act
    const receives = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      receives.push(await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl })));
    }
    const dead = await fixture.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const sources = await fixture.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));

    // Assess
    expect(receives.map((response) => response.Messages?.length ?? 0)).toEqual([1, 1, 0]);
    expect(dead.Messages?.[0]?.MessageId).toBe(sent.MessageId);
    expect(dead.Messages?.[0]?.Body).toBe('poison');
    expect(dead.Messages?.[0]?.MessageAttributes?.kind?.StringValue).toBe('scene');
    expect(dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn).toBe(sourceArn);
    expect(sources.queueUrls).toEqual([queueUrl]);
  });

  it('moves dead letters back to their source queue with StartMessageMoveTask', async () => {
    // Prepare
    const dlqUrl = await createQueue('redrive-dlq');
    const dlqArn = await queueArn(dlqUrl);
    const queueUrl = await createQueue('redrive', {
      VisibilityTimeout: '0',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
    });
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'fixed later' }));
    await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    expect(fixture.emulator.sqs.peekMessages(dlqUrl)).toHaveLength(1);

    // Act
    const started = await fixture.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    const task = await eventually(async () => {
      const listed = await fixture.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
      const result = listed.Results?.[0];
      return result?.Status === 'COMPLETED' ? result : undefined;
    });
    const redriven = await fixture.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );

    // Assess
    expect(started.TaskHandle).toEqual(expect.any(String));
    expect(task.ApproximateNumberOfMessagesMoved).toBe(1);
    expect(redriven.Messages?.[0]?.Body).toBe('fixed later');
    expect(redriven.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(fixture.emulator.sqs.peekMessages(dlqUrl)).toHaveLength(0);
  });

  it('holds back a message for its DelaySeconds, per message and per queue', async () => {
    // Prepare
    const queueUrl = await createQueue('delayed');
    const slowQueueUrl = await createQueue('delayed-queue', { DelaySeconds: '1' });

    // Act
    await fixture.sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later', DelaySeconds: 1 }),
    );
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl: slowQueueUrl, MessageBody: 'later too' }));
    const attributes = await fixture.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
      }),
    );
    const early = await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    const timings = ['SentTimestamp', 'ApproximateFirstReceiveTimestamp'] as const;
    // A long poll that outlasts the delay: it returns the message only if it wakes when the delay
    // ends (at the end of its wait time it returns empty).
    const late = await fixture.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        WaitTimeSeconds: 5,
        MessageSystemAttributeNames: [...timings],
      }),
    );
    const lateToo = await fixture.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: slowQueueUrl,
        WaitTimeSeconds: 5,
        MessageSystemAttributeNames: [...timings],
      }),
    );

    // Assess
    expect(attributes.Attributes?.ApproximateNumberOfMessagesDelayed).toBe('1');
    expect(early.Messages).toBeUndefined();
    expect(late.Messages?.[0]?.Body).toBe('later');
    expect(lateToo.Messages?.[0]?.Body).toBe('later too');
    // Held back for the delay: first received a second or more after it was sent.
    for (const message of [late.Messages?.[0], lateToo.Messages?.[0]]) {
      const sent = Number(message?.Attributes?.SentTimestamp);
      expect(Number(message?.Attributes?.ApproximateFirstReceiveTimestamp) - sent).toBeGreaterThanOrEqual(
        1_000,
      );
    }
  });

  it('wakes a long poll as soon as a message is sent', async () => {
    // Prepare
    const queueUrl = await createQueue('long-poll');
    const waiting = fixture.nextLongPoll('long-poll', 'waiting');
    const ended = fixture.nextLongPoll('long-poll', 'ended');
    const polling = fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }));
    await waiting;

    // Act
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'wake up' }));
    const received = await polling;

    // Assess: the send ended the wait, not its 20 s running out.
    expect(received.Messages?.[0]?.Body).toBe('wake up');
    expect(await ended).toMatchObject({ reason: 'messages', received: 1 });
  });

  it("hides what a long poll returns for the queue's visibility timeout as set during the wait", async () => {
    // Prepare: a poll waiting on a queue whose timeout is 720 s.
    const queueUrl = await createQueue('timeout-changed', { VisibilityTimeout: '720' });
    const waiting = fixture.nextLongPoll('timeout-changed', 'waiting');
    const polling = fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }));
    await waiting;

    // Act: the timeout is shortened, then a message arrives for the waiting poll.
    await fixture.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { VisibilityTimeout: '1' } }),
    );
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'late' }));
    const received = await polling;

    // Assess: hidden for 1 s, not 720.
    expect(received.Messages?.[0]?.Body).toBe('late');
    const [message] = fixture.emulator.sqs.peekMessages('timeout-changed');
    expect((message?.visibleAt ?? 0) - Date.now()).toBeLessThanOrEqual(1000);
  });

  it('ends a long poll without taking a message when the request is aborted', async () => {
    // Prepare
    const queueUrl = await createQueue('aborted-poll');
    const abort = new AbortController();
    const waiting = fixture.nextLongPoll('aborted-poll', 'waiting');
    const ended = fixture.nextLongPoll('aborted-poll', 'ended');
    const polling = fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }), {
      abortSignal: abort.signal,
    });
    await waiting;

    // Act
    abort.abort();
    await expect(polling).rejects.toThrow();
    // The emulator saw the caller go away (not the 20 s running out) before the next message.
    expect(await ended).toMatchObject({ reason: 'aborted', received: 0 });
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'for the next poll' }));
    const received = await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));

    // Assess
    expect(received.Messages?.[0]?.Body).toBe('for the next poll');
  });

  it('returns message attributes whose MD5 is the one AWS computes', async () => {
    // Prepare
    const queueUrl = await createQueue('attributes');
    const attributes = {
      jobId: { DataType: 'String', StringValue: '01J0000000000000000000000' },
      attempt: { DataType: 'Number', StringValue: '3' },
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
    };

    // Act
    const sent = await fixture.sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x', MessageAttributes: attributes }),
    );
    const received = await fixture.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['All'] }),
    );
    const message = received.Messages?.[0];

    // Assess
    expect(sent.MD5OfMessageAttributes).toBe(message?.MD5OfMessageAttributes);
    expect(message?.MessageAttributes?.attempt).toEqual({ DataType: 'Number', StringValue: '3' });
    expect(Buffer.from(message?.MessageAttributes?.blob?.BinaryValue ?? []).toJSON().data).toEqual([1, 2, 3]);
  });

  it('computes MD5OfMessageAttributes like the published AWS examples', () => {
    // Act
    const single = md5OfMessageAttributes({
      SellerName: { DataType: 'String', StringValue: 'Example Store' },
    });
    const two = md5OfMessageAttributes({
      ordinal: { DataType: 'Number', StringValue: '1' },
      category: { DataType: 'String', StringValue: 'test' },
    });

    // Assess
    expect(single).toBe('cd28f3b68aeee4b2eac9c66f2f694b58');
    expect(two).toBe('d21ae90c49061e927f57df5f5d72be1f');
  });

  it('reports batch entries one by one and deletes in batches', async () => {
    // Prepare
    const queueUrl = await createQueue('batch');

    // Act
    const sent = await fixture.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', DelaySeconds: 901 },
          { Id: 'c', MessageBody: 'three' },
        ],
      }),
    );
    const received = await fixture.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    const deleted = await fixture.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: (received.Messages ?? []).map((message, index) => ({
          Id: `m${index}`,
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );

    // Assess
    expect(sent.Successful?.map((entry) => entry.Id)).toEqual(['a', 'c']);
    expect(sent.Failed).toEqual([expect.objectContaining({ Id: 'b', SenderFault: true })]);
    expect(received.Messages?.map((message) => message.Body).sort()).toEqual(['one', 'three']);
    expect(deleted.Successful).toHaveLength(2);
  });

  it('lets a fault hook duplicate a delivery or hide it until the visibility timeout', async () => {
    // Prepare
    const queueUrl = await createQueue('faulty', { VisibilityTimeout: '1' });
    const decisions = ['duplicate', 'drop-until-visible'] as const;
    const removeHook = fixture.emulator.sqs.addBeforeDeliverHook((queueName) =>
      queueName === 'faulty' ? decisions[fixture.emulator.sqs.peekMessages('faulty').length - 1] : undefined,
    );
    await fixture.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'twice' }));

    // Act
    const first = await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    const lost = await fixture.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    removeHook();
    const afterTimeout = await fixture.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 3 }),
    );

    // Assess
    expect(first.Messages?.[0]?.Body).toBe('twice');
    expect(lost.Messages).toBeUndefined();
    expect(afterTimeout.Messages?.[0]?.MessageId).toBe(first.Messages?.[0]?.MessageId);
  });
});
