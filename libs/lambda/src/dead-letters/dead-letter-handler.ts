import { ChangeMessageVisibilityCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { EventPublisher, type EventSource } from '@reelay/events';
import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { eventBridgeClient, sqsClient } from '../aws-clients';
import { readConfig } from '../config';
import { recordConsumer, type SqsConsumer } from '../handlers/sqs-consumer';
import type { Powertools } from '../powertools';
import { parseDeadLetterQueues, queueNameFromArn } from './dead-letter-queues';
import { drainDeadLetter } from './drain-dead-letter';

export interface DeadLetterHandlerOptions {
  source: EventSource;
  powertools: Powertools;
  env?: Record<string, string | undefined>;
}

/**
 * The `deadLetters` function of a service: drains every DLQ of that service (queue DLQs and
 * EventBridge rule-target DLQs) into JobFailed, one record at a time (partial batch failures).
 * It has no failJobAs: it is where failures end, and a message naming no job must stay in its DLQ.
 */
export function deadLetterHandler(options: DeadLetterHandlerOptions): SqsConsumer {
  const config = readConfig(
    { EVENT_BUS_NAME: z.string().min(1), DEAD_LETTER_QUEUES: z.string().min(2) },
    options.env,
  );
  const deps = {
    publisher: new EventPublisher({
      client: eventBridgeClient(),
      busName: config.EVENT_BUS_NAME,
      source: options.source,
    }),
    queues: parseDeadLetterQueues(config.DEAD_LETTER_QUEUES),
    metrics: options.powertools.metrics,
    park: async (record: SQSRecord, seconds: number) => {
      const sqs = sqsClient();
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
  return recordConsumer(options.powertools, {}, async (record, { logger }) => {
    await drainDeadLetter(record, { ...deps, logger });
  });
}
