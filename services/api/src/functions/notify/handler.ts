import { consumeEvents, jobFailed, videoComposed } from '@reelay/events';
import { dynamoDocumentClient, readConfig, sqsClient } from '@reelay/lambda';
import { z } from 'zod';
import type { DeliveryDeps } from '../../callbacks/deliveries';
import { apiTableConfig } from '../../config';
import { handleTerminalEvent } from '../../notify/handle-terminal-event';
import { logger } from '../../powertools';

const config = readConfig({ ...apiTableConfig, CALLBACKS_QUEUE_URL: z.string().url() });
const deps: DeliveryDeps = {
  doc: dynamoDocumentClient(),
  table: config.API_TABLE,
  sqs: sqsClient(),
  queueUrl: config.CALLBACKS_QUEUE_URL,
};

/** VideoComposed and JobFailed: record the outcome (refund a failed job's quota once), schedule callbacks. */
export const handler = consumeEvents(
  [videoComposed, jobFailed],
  async (event) => {
    const outcome = await handleTerminalEvent(
      event.type === 'VideoComposed'
        ? { type: 'VideoComposed', detail: event.detail }
        : { type: 'JobFailed', detail: event.detail },
      deps,
    );
    logger.info('terminal event handled', {
      jobId: event.detail.jobId,
      correlationId: event.detail.meta.correlationId,
      detailType: event.type,
      outcome,
    });
  },
  {
    onRecordError: (error, record) =>
      logger.error('terminal event failed', { error, messageId: record.messageId }),
  },
);
