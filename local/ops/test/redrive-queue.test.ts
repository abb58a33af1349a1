import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type AwsJsonEmulator, startAwsJsonEmulator } from '../../cloud/aws-json/src';
import { redriveQueue } from '../src/redrive-queue';

let emulator: AwsJsonEmulator;
let sqs: SQSClient;

beforeAll(async () => {
  emulator = await startAwsJsonEmulator({ invokeLambda: async () => undefined });
  sqs = new SQSClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  sqs?.destroy();
  await emulator?.close();
});

const arnOf = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const bodies = async (queueUrl: string) =>
  (
    await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    )
  ).Messages?.map((m) => m.Body) ?? [];

describe('redrive of a queue', () => {
  test('a queue DLQ goes back to its source through a message move task', async () => {
    // Prepare: a message received twice and never deleted lands in the DLQ.
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'work-dlq' }));
    const work = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'work',
        Attributes: {
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf('work-dlq'), maxReceiveCount: 2 }),
        },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: work.QueueUrl, MessageBody: 'poison' }));
    for (let i = 0; i < 3; i++) await bodies(String(work.QueueUrl));
    expect(await bodies(String(dlq.QueueUrl))).toEqual(['poison']);

    // Act
    const result = await redriveQueue(sqs, 'work-dlq');
    let back: (string | undefined)[] = [];
    for (let i = 0; i < 100 && back.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      back = await bodies(String(work.QueueUrl));
    }

    // Assess
    expect(result).toMatchObject({ kind: 'message-move-task', queue: 'work-dlq', sources: [work.QueueUrl] });
    expect(back).toEqual(['poison']);
    expect(await bodies(String(dlq.QueueUrl))).toEqual([]);
  });

  test('an EventBridge target DLQ sends each event to the target that missed it, and leaves the rest', async () => {
    const target = await sqs.send(new CreateQueueCommand({ QueueName: 'rule-target' }));
    const ruleDlq = await sqs.send(new CreateQueueCommand({ QueueName: 'rule-target-rule-dlq' }));
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: ruleDlq.QueueUrl,
        MessageBody: '{"detail-type":"JobRequested"}',
        MessageAttributes: {
          TARGET_ARN: text(arnOf('rule-target')),
          ERROR_CODE: text('SQS_QUEUE_NOT_FOUND'),
        },
      }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: ruleDlq.QueueUrl,
        MessageBody: '{"detail-type":"Other"}',
        MessageAttributes: { TARGET_ARN: text('arn:aws:lambda:us-east-1:000000000000:function:f') },
      }),
    );

    const result = await redriveQueue(sqs, String(ruleDlq.QueueUrl));

    expect(result).toEqual({
      kind: 'rule-target',
      queue: 'rule-target-rule-dlq',
      moved: 1,
      left: 1,
      targets: { 'rule-target': 1 },
    });
    expect(await bodies(String(target.QueueUrl))).toEqual(['{"detail-type":"JobRequested"}']);
  });
});
