import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { EventPublisher, jobFailed, SOURCES } from '@reelay/events';
import { eventBridgeClient, readConfig } from '@reelay/lambda';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { logger } from '../../powertools';
import { jobFailedFromExecution } from '../../rendering/execution-failure';

const config = readConfig({ EVENT_BUS_NAME: z.string().min(1) });
const publisher = new EventPublisher({ client: eventBridgeClient(), busName: config.EVENT_BUS_NAME, source: SOURCES.generator });
const processor = new BatchProcessor(EventType.SQS);

/** A failed or timed-out RenderScene execution becomes JobFailed(stage=render) with its error. */
async function recordHandler(record: SQSRecord): Promise<void> {
  const failure = jobFailedFromExecution(record.body);
  if (!failure) return;
  await publisher.publish(jobFailed, failure);
  logger.warn('scene render failed', { jobId: failure.jobId, correlationId: failure.meta.correlationId, code: failure.code, reason: failure.reason });
}

export const handler = (event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
