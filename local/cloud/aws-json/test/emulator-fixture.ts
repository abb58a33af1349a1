import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type AwsJsonEmulator, type AwsJsonEmulatorOptions, startAwsJsonEmulator } from '../src';
import type { LongPollEvent } from '../src/sqs/sqs-backend';

export interface EmulatorFixture {
  emulator: AwsJsonEmulator;
  sqs: SQSClient;
  events: EventBridgeClient;
  sfn: SFNClient;
  /**
   * Resolves at the next moment a long poll on the queue starts waiting ('waiting') or ends ('ended'):
   * call it before sending the ReceiveMessage, then await it, so nothing is left to a sleep.
   */
  nextLongPoll<T extends LongPollEvent['type']>(
    queueName: string,
    type: T,
  ): Promise<Extract<LongPollEvent, { type: T }>>;
  /** Creates a queue and returns its URL. */
  createQueue(name: string, attributes?: Record<string, string>): Promise<string>;
  close(): Promise<void>;
}

/** Starts the emulator with unchanged SDK v3 clients pointed at it. */
export async function startFixture(options: Partial<AwsJsonEmulatorOptions> = {}): Promise<EmulatorFixture> {
  const emulator = await startAwsJsonEmulator({
    invokeLambda: async () => {
      throw new Error('no Lambda functions in this test');
    },
    ...options,
  });
  const config = {
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const sqs = new SQSClient(config);
  const events = new EventBridgeClient(config);
  const sfn = new SFNClient(config);
  return {
    emulator,
    sqs,
    events,
    sfn,
    nextLongPoll: <T extends LongPollEvent['type']>(queueName: string, type: T) =>
      new Promise<Extract<LongPollEvent, { type: T }>>((resolve) => {
        const stop = emulator.sqs.onLongPoll((event) => {
          if (event.queueName !== queueName || event.type !== type) return;
          stop();
          resolve(event as Extract<LongPollEvent, { type: T }>);
        });
      }),
    createQueue: async (name, attributes = {}) =>
      (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes })))
        .QueueUrl as string,
    close: async () => {
      sqs.destroy();
      events.destroy();
      sfn.destroy();
      await emulator.close();
    },
  };
}

/** Polls until the check returns a value (not undefined) or the time runs out. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
