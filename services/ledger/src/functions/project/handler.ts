import { EventPublisher, SOURCES } from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, eventConsumer, readConfig } from '@reelay/lambda';
import { z } from 'zod';
import { metrics, powertools } from '../../powertools';
import { LEDGER_EVENTS } from '../../projection/ledger-events';
import { powertoolsLedgerMetrics } from '../../projection/ledger-metrics';
import { projectEvent } from '../../projection/project-event';

const config = readConfig({ JOBS_TABLE: z.string().min(1), EVENT_BUS_NAME: z.string().min(1) });
const deps = {
  doc: dynamoDocumentClient(),
  table: config.JOBS_TABLE,
  // Stored, then published by logMetrics when the invocation ends; duplicates and replays store none.
  metrics: powertoolsLedgerMetrics(metrics),
};

/** Every job event -> the job's record in the jobs table (the ledger's projection). */
export const handler = eventConsumer(
  powertools,
  LEDGER_EVENTS,
  {
    failJobAs: {
      stage: 'ledger',
      publisher: new EventPublisher({
        client: eventBridgeClient(),
        busName: config.EVENT_BUS_NAME,
        source: SOURCES.ledger,
      }),
    },
  },
  async (event, { logger }) => {
    await projectEvent(event, deps);
    logger.info('event projected', { type: event.type });
  },
);
