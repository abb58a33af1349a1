import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { consumeRecords, EventPublisher, type EventSource, type SqsBatchHandler } from '@reelay/events';
import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { eventBridgeClient, sqsClient } from '../aws-clients';
import { readConfig } from '../config';
import { parseDeadLetterQueues, queueNameFromArn } from './dead-letter-queues';
import { drainDeadLetter } from './drain-dead-letter';

export interface DeadLetterHandlerOptions {
  source: EventSource;
  logger: Logger;
  metrics: Metrics;
  env?: Record<string, string | undefined>;
}

/**
 * The `deadLetters` function of a service: drains every DLQ of that service (queue DLQs and
 * EventBridge rule-target DLQs) into JobFailed, one record at a time (partial batch failures).
 */
export function deadLetterHandler(options: DeadLetterHandlerOptions): SqsBatchHandler {
  const config = readConfig(
    { EVENT_BUS_NAME: z.string().min(1), DEAD_LETTER_QUEUES: z.string().min(2) },
    options.env,
  );
  const deps = {
    publisher: new EventPublisher({
      client: eventBridgeClient(options.env),
      busName: config.EVENT_BUS_NAME,
      source: options.source,
    }),
    queues: parseDeadLetterQueues(config.DEAD_LETTER_QUEUES),
    logger: options.logger,
    metrics: options.metrics,
    park: async (record: SQSRecord, seconds: number) => {
      const sqs = sqsClient(options.env);
      const { QueueUrl } = await sqs.send(
        new GetQueueUrlCommand({ QueueName: queueNameFromArn(record.eventSourceARN) }),
      );
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
  };
  return consumeRecords((record) => drainDeadLetter(record, deps).then(() => undefined), {
    onRecordError: (error, record) =>
      options.logger.error('dead message not drained', { error, messageId: record.messageId }),
  });
}
