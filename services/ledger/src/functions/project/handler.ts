import { consumeEvents } from '@reelay/events';
import { dynamoDocumentClient, readConfig } from '@reelay/lambda';
import { z } from 'zod';
import { logger, metrics } from '../../powertools';
import { LEDGER_EVENTS } from '../../projection/ledger-events';
import { powertoolsLedgerMetrics } from '../../projection/ledger-metrics';
import { projectEvent } from '../../projection/project-event';

const config = readConfig({ JOBS_TABLE: z.string().min(1) });
const deps = {
  doc: dynamoDocumentClient(),
  table: config.JOBS_TABLE,
  metrics: powertoolsLedgerMetrics(metrics),
};

const projectBatch = consumeEvents(
  LEDGER_EVENTS,
  async (event) => {
    logger.debug('projecting', {
      jobId: event.detail.jobId,
      correlationId: event.detail.meta.correlationId,
      type: event.type,
    });
    await projectEvent(event, deps);
  },
  {
    onRecordError: (error, record) =>
      logger.error('event not projected', { error, messageId: record.messageId }),
  },
);

export const handler: typeof projectBatch = async (event, context) => {
  try {
    return await projectBatch(event, context);
  } finally {
    // Duplicates and replays change nothing and so emit nothing: no empty-metrics warning for them.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
