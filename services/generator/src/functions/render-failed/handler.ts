import { consumeRecords, EventPublisher, jobFailed, SOURCES } from '@reelay/events';
import { eventBridgeClient, readConfig } from '@reelay/lambda';
import { z } from 'zod';
import { logger } from '../../powertools';
import { jobFailedFromExecution } from '../../rendering/execution-failure';

const config = readConfig({ EVENT_BUS_NAME: z.string().min(1) });
const publisher = new EventPublisher({
  client: eventBridgeClient(),
  busName: config.EVENT_BUS_NAME,
  source: SOURCES.generator,
});

/** A failed or timed-out RenderScene execution becomes JobFailed(stage=render) with its error. */
export const handler = consumeRecords(
  async (record) => {
    const failure = jobFailedFromExecution(record.body);
    if (!failure) return;
    await publisher.publish(jobFailed, failure);
    logger.warn('scene render failed', {
      jobId: failure.jobId,
      correlationId: failure.meta.correlationId,
      code: failure.code,
      reason: failure.reason,
    });
  },
  {
    onRecordError: (error, record) =>
      logger.error('render failure not reported', { error, messageId: record.messageId }),
  },
);
