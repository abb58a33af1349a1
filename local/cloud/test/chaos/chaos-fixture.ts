import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { EmbeddedCloud } from '../../src/embedded-cloud';
import { LocalFunction } from '../../src/lambda/local-function';
import { SqsEventSource } from '../../src/lambda/sqs-event-source';

export const TEST_BUS = 'chaos-test';
export const TEST_RULE = 'chaos-all';
export const TEST_QUEUE = 'chaos-events';
export const RULE_DLQ = 'chaos-rule-dlq';
export const TABLE = 'chaos-effects';

export interface ReceivedRecord {
  messageId: string;
  detailType: string;
  detail: Record<string, unknown>;
  receivedAt: number;
}

export interface ChaosFixture {
  /** Every record the test queue's consumer received, in order. */
  received: ReceivedRecord[];
  /** A synthetic function doing the side effects it is told to (fixtures/side-effects-handler.ts). */
  sideEffects: LocalFunction;
  /** The same handler under another name, to show faults stay in their function. */
  bystander: LocalFunction;
  close(): Promise<void>;
}

/**
 * Adds to an embedded cloud: a test bus with a rule to a queue (the rule target has a DLQ), an
 * in-process consumer on that queue through the real SQS event source, a DynamoDB table, and two
 * synthetic functions whose sandboxes carry the cloud's fault injector.
 */
export async function addChaosFixture(cloud: EmbeddedCloud): Promise<ChaosFixture> {
  const { sqs, events, dynamodb } = cloud.clients;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: TEST_QUEUE }))).QueueUrl ?? '';
  await sqs.send(new CreateQueueCommand({ QueueName: RULE_DLQ }));
  await events.send(new CreateEventBusCommand({ Name: TEST_BUS }));
  await events.send(
    new PutRuleCommand({
      Name: TEST_RULE,
      EventBusName: TEST_BUS,
      EventPattern: JSON.stringify({ source: ['reelay.api', 'reelay.chaos-test'] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: TEST_RULE,
      EventBusName: TEST_BUS,
      Targets: [
        {
          Id: 'queue',
          Arn: cloud.emulator.sqs.queueArn(TEST_QUEUE),
          DeadLetterConfig: { Arn: cloud.emulator.sqs.queueArn(RULE_DLQ) },
        },
      ],
    }),
  );
  await dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );

  const received: ReceivedRecord[] = [];
  const consumer = {
    invoke: async (payload: unknown): Promise<SQSBatchResponse> => {
      for (const record of (payload as SQSEvent).Records) {
        const envelope = JSON.parse(record.body) as {
          'detail-type': string;
          detail: Record<string, unknown>;
        };
        received.push({
          messageId: record.messageId,
          detailType: envelope['detail-type'],
          detail: envelope.detail,
          receivedAt: Date.now(),
        });
      }
      return { batchItemFailures: [] };
    },
  };
  const source = new SqsEventSource(
    sqs,
    {
      queueArn: cloud.emulator.sqs.queueArn(TEST_QUEUE),
      queueUrl,
      batchSize: 10,
      reportBatchItemFailures: true,
      concurrency: 1,
      region: cloud.region,
    },
    consumer,
    () => undefined,
  );
  source.start();

  const anyFunction = [...cloud.functions.values()][0];
  if (!anyFunction) throw new Error('the embedded cloud deployed no functions');
  // The twin's token is where the generator reads it: a SecureString in the local Parameter Store.
  const { Parameter: token } = await cloud.clients.ssm.send(
    new GetParameterCommand({ Name: `/reelay/${cloud.stage}/replicate-api-token`, WithDecryption: true }),
  );
  const makeFunction = (name: string) => {
    const fn = new LocalFunction(
      {
        name,
        arn: `arn:aws:lambda:${cloud.region}:${cloud.accountId}:function:${name}`,
        handlerFile: require.resolve('./fixtures/side-effects-handler.ts'),
        exportName: 'handler',
        env: {
          CHAOS_BUCKET: cloud.names.mediaBucket,
          CHAOS_TABLE: TABLE,
          CHAOS_BUS: TEST_BUS,
          REPLICATE_API_TOKEN: token?.Value ?? '',
        },
        timeoutSec: 30,
        memoryMb: 256,
        maxConcurrency: 2,
      },
      () => undefined,
      anyFunction.baseEnv,
      cloud.chaos.sandboxFaults,
    );
    cloud.functions.set(name, fn);
    return fn;
  };
  const sideEffects = makeFunction('chaos-side-effects');
  const bystander = makeFunction('chaos-bystander');
  // Cold starts (loading the handler) are slow on a busy machine: pay them once, up front.
  await Promise.all([sideEffects, bystander].map((fn) => fn.invoke({ runId: 'warm-up', steps: [] })));

  return {
    received,
    sideEffects,
    bystander,
    close: async () => {
      await source.stop();
    },
  };
}

/** Polls until the check returns a value (not undefined) or the time runs out. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  explain: () => unknown = () => '',
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in time ${JSON.stringify(explain(), null, 1).slice(0, 4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
