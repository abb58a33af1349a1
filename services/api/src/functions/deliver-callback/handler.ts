import { dynamoDocumentClient, readConfig, recordConsumer, sqsClient } from '@reelay/lambda';
import { z } from 'zod';
import { type DeliverCallbackDeps, deliverCallback } from '../../callbacks/deliver-callback';
import { deliveryMessageSchema } from '../../callbacks/deliveries';
import { postCallback } from '../../callbacks/post-callback';
import { apiTableConfig, callbackConfig } from '../../config';
import { powertools } from '../../powertools';

const config = readConfig({
  ...apiTableConfig,
  ...callbackConfig,
  CALLBACKS_QUEUE_URL: z.string().url(),
  CALLBACKS_DLQ_URL: z.string().url(),
  CALLBACK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
  CALLBACK_BACKOFF_BASE_SEC: z.coerce.number().min(0).max(900).default(5),
});
const deps: DeliverCallbackDeps = {
  doc: dynamoDocumentClient(),
  table: config.API_TABLE,
  sqs: sqsClient(),
  queueUrl: config.CALLBACKS_QUEUE_URL,
  dlqUrl: config.CALLBACKS_DLQ_URL,
  policy: { allowLoopbackHttp: config.CALLBACK_TEST_ALLOW_LOOPBACK_HTTP === 'true' },
  post: postCallback,
  maxAttempts: config.CALLBACK_MAX_ATTEMPTS,
  backoffBaseSec: config.CALLBACK_BACKOFF_BASE_SEC,
};

/**
 * One attempt per message: sign and POST, or schedule the next attempt, or dead-letter. No
 * failJobAs: a callback is sent after its job ended, so a failure here must never fail the job.
 */
export const handler = recordConsumer(powertools, {}, async (record, { logger }) => {
  // A malformed message is a bug: throwing sends it through SQS retries to the DLQ, where it is kept.
  const message = deliveryMessageSchema.parse(JSON.parse(record.body));
  const result = await deliverCallback(message, deps);
  logger.info('callback attempt', { event: message.event, attempt: message.attempt, result });
});
