import { EventPublisher, jobFailed, SOURCES } from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, readConfig, recordConsumer } from '@reelay/lambda';
import { z } from 'zod';
import { JobCancellations } from '../../cancellation/job-cancellations';
import { powertools } from '../../powertools';
import { jobFailedFromExecution } from '../../rendering/execution-failure';
import { PredictionClaims, spentPredictions } from '../../rendering/prediction-claims';

const config = readConfig({ EVENT_BUS_NAME: z.string().min(1), GENERATOR_TABLE: z.string().min(1) });
const publisher = new EventPublisher({
  client: eventBridgeClient(),
  busName: config.EVENT_BUS_NAME,
  source: SOURCES.generator,
});
const doc = dynamoDocumentClient();
const claims = new PredictionClaims(doc, config.GENERATOR_TABLE);
const cancellations = new JobCancellations(doc, config.GENERATOR_TABLE);

/**
 * A failed or timed-out RenderScene execution becomes JobFailed(stage=render) with its error and every
 * prediction the scene spent. An execution that failed because its job had already ended (cancelled,
 * or failed elsewhere) is not reported again.
 */
export const handler = recordConsumer(
  powertools,
  { failJobAs: { stage: 'render', publisher } },
  async (record, { logger }) => {
    const failure = jobFailedFromExecution(record.body);
    if (!failure) return;
    if (await cancellations.isCancelled(failure.jobId)) return;
    const predictions =
      failure.sceneIndex === undefined
        ? []
        : spentPredictions(await claims.sceneClaims(failure.jobId, failure.sceneIndex));
    await publisher.publish(jobFailed, { ...failure, ...(predictions.length ? { predictions } : {}) });
    logger.warn('scene render failed', { code: failure.code, reason: failure.reason });
  },
);
