import { EventPublisher, jobFailed, SOURCES, videoComposed } from '@reelay/events';
import {
  dynamoDocumentClient,
  eventBridgeClient,
  eventConsumer,
  readConfig,
  sqsClient,
} from '@reelay/lambda';
import { z } from 'zod';
import type { DeliveryDeps } from '../../callbacks/deliveries';
import { apiTableConfig, busConfig } from '../../config';
import { handleTerminalEvent } from '../../notify/handle-terminal-event';
import { powertools } from '../../powertools';

const config = readConfig({ ...apiTableConfig, ...busConfig, CALLBACKS_QUEUE_URL: z.string().url() });
const deps: DeliveryDeps = {
  doc: dynamoDocumentClient(),
  table: config.API_TABLE,
  sqs: sqsClient(),
  queueUrl: config.CALLBACKS_QUEUE_URL,
};

/** VideoComposed and JobFailed: record the outcome (refund a failed job's quota once), schedule callbacks. */
export const handler = eventConsumer(
  powertools,
  [videoComposed, jobFailed],
  {
    // Only a terminal event that does not decode can fail its job here (the builder's rule).
    failJobAs: {
      stage: 'notify',
      publisher: new EventPublisher({
        client: eventBridgeClient(),
        busName: config.EVENT_BUS_NAME,
        source: SOURCES.api,
      }),
    },
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
