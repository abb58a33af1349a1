import { EventPublisher, SOURCES } from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, readConfig, scheduledHandler } from '@reelay/lambda';
import { z } from 'zod';
import { logger, powertools } from '../../powertools';
import { sweepOverdueJobs } from '../../sweeper/sweep-overdue-jobs';

const config = readConfig({ JOBS_TABLE: z.string().min(1), EVENT_BUS_NAME: z.string().min(1) });
const deps = {
  doc: dynamoDocumentClient(),
  table: config.JOBS_TABLE,
  publisher: new EventPublisher({
    client: eventBridgeClient(),
    busName: config.EVENT_BUS_NAME,
    source: SOURCES.ledger,
  }),
};

/** Every minute (schedule): fails the jobs past their deadline, each once. */
export const handler = scheduledHandler(powertools, async (): Promise<{ failed: string[] }> => {
  const result = await sweepOverdueJobs(deps);
  for (const jobId of result.failed) logger.warn('job failed by its deadline', { jobId });
  return result;
});
