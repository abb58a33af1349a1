import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** What an event source invokes: a LocalFunction, or (in tests and benchmarks) a stand-in. */
export interface InvokeTarget {
  invoke(payload: unknown): Promise<unknown>;
}

export interface SqsEventSourceConfig {
  queueArn: string;
  queueUrl: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
  /** Pollers that run at once (ScalingConfig.MaximumConcurrency, or the function's concurrency). */
  concurrency: number;
  region: string;
}

/**
 * Lambda's SQS event source mapping, through the real SQS API: long-polls the queue, invokes the
 * function with a batch, deletes what succeeded and leaves the rest to reappear after the visibility
 * timeout (and, past maxReceiveCount, to be moved to the dead-letter queue by SQS).
 */
export class SqsEventSource {
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly sqs: SQSClient,
    readonly config: SqsEventSourceConfig,
    readonly target: InvokeTarget,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    for (let i = 0; i < this.config.concurrency; i++) this.loops.push(this.poll());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }

  private async poll(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let messages: Message[] = [];
      try {
        const received = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.config.queueUrl,
            MaxNumberOfMessages: this.config.batchSize,
            WaitTimeSeconds: 20,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (this.abort.signal.aborted) return;
        this.onError(error);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (messages.length > 0) await this.deliver(messages);
    }
  }

  private async deliver(messages: Message[]): Promise<void> {
    const event: SQSEvent = { Records: messages.map((m) => this.toRecord(m)) };
    let failedIds: Set<string>;
    try {
      const response = (await this.target.invoke(event)) as SQSBatchResponse | null;
      failedIds = new Set(
        this.config.reportBatchItemFailures
          ? (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier)
          : [],
      );
    } catch (error) {
      // A function error fails the whole batch: every message becomes visible again later.
      this.onError(error);
      return;
    }
    const done = messages.filter((m) => m.MessageId && !failedIds.has(m.MessageId));
    if (done.length === 0) return;
    try {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.config.queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    } catch (error) {
      this.onError(error);
    }
  }

  private toRecord(m: Message): SQSRecord {
    const attributes = m.Attributes ?? {};
    return {
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          {
            dataType: value.DataType ?? 'String',
            stringValue: value.StringValue,
            stringListValues: [],
            binaryListValues: [],
          },
        ]),
      ),
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.config.queueArn,
      awsRegion: this.config.region,
    };
  }
}
