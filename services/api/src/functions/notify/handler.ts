import { EventPublisher, jobFailed, SOURCES, videoComposed } from '@reelay/events';
import {
  dynamoDocumentClient,
  eventBridgeClient,
  eventConsumer,
  readConfig,
  sqsClient,
} from '@reelay/lambda';
import { z } from 'zod';
import { admissionConfig, apiTableConfig, busConfig } from '../../config';
import { handleTerminalEvent, type NotifyDeps } from '../../notify/handle-terminal-event';
import { powertools } from '../../powertools';

const config = readConfig({
  ...apiTableConfig,
  ...busConfig,
  ...admissionConfig,
  CALLBACKS_QUEUE_URL: z.string().url(),
});
const publisher = new EventPublisher({
  client: eventBridgeClient(),
  busName: config.EVENT_BUS_NAME,
  source: SOURCES.api,
});
const deps: NotifyDeps = {
  doc: dynamoDocumentClient(),
  table: config.API_TABLE,
  sqs: sqsClient(),
  queueUrl: config.CALLBACKS_QUEUE_URL,
  // A job's end frees its slot: the user's oldest queued job starts (its JobRequested is published here).
  admission: { publisher, admission: { maxConcurrentJobs: config.MAX_CONCURRENT_JOBS } },
};

/**
 * VideoComposed and JobFailed: record the outcome (refund a failed job's quota once, give back its slot),
 * start the user's queued jobs, schedule callbacks.
 */
export const handler = eventConsumer(
  powertools,
  [videoComposed, jobFailed],
  {
    // Only a terminal event that does not decode can fail its job here (the builder's rule).
    failJobAs: { stage: 'notify', publisher },
  },
  async (event, { logger }) => {
    const outcome = await handleTerminalEvent(
      event.type === 'VideoComposed'
        ? { type: 'VideoComposed', detail: event.detail }
        : { type: 'JobFailed', detail: event.detail },
      deps,
    );
    logger.info('terminal event handled', { detailType: event.type, outcome });
  },
);
