import { consumeEvents } from '@reelay/events';
import { dynamoDocumentClient, readConfig } from '@reelay/lambda';
import { z } from 'zod';
import { logger } from '../../powertools';
import { LEDGER_EVENTS } from '../../projection/ledger-events';
import { projectEvent } from '../../projection/project-event';

const config = readConfig({ JOBS_TABLE: z.string().min(1) });
const doc = dynamoDocumentClient();

export const handler = consumeEvents(
  LEDGER_EVENTS,
  async (event) => {
    logger.debug('projecting', {
      jobId: event.detail.jobId,
      correlationId: event.detail.meta.correlationId,
      type: event.type,
    });
    await projectEvent(event, { doc, table: config.JOBS_TABLE });
  },
  {
    onRecordError: (error, record) =>
      logger.error('event not projected', { error, messageId: record.messageId }),
  },
);
