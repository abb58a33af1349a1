import { consumeEvents, jobFailed } from '@reelay/events';
import { dynamoDocumentClient, readConfig, sfnClient } from '@reelay/lambda';
import { z } from 'zod';
import { JobCancellations } from '../../cancellation/job-cancellations';
import { isOwnDeadStop, stopJob } from '../../cancellation/stop-job';
import { modelSettings } from '../../config';
import { logger } from '../../powertools';
import { PredictionClaims } from '../../rendering/prediction-claims';
import { createReplicate } from '../../rendering/replicate-client';
import { replicateToken } from '../../rendering/replicate-token';

const config = readConfig({
  GENERATOR_TABLE: z.string().min(1),
  RENDER_SCENE_STATE_MACHINE_ARN: z.string().min(1),
});
const settings = modelSettings();
const doc = dynamoDocumentClient();
const deps = {
  sfn: sfnClient(),
  stateMachineArn: config.RENDER_SCENE_STATE_MACHINE_ARN,
  replicate: createReplicate(replicateToken(settings), settings.REPLICATE_BASE_URL),
  claims: new PredictionClaims(doc, config.GENERATOR_TABLE),
  cancellations: new JobCancellations(doc, config.GENERATOR_TABLE),
};

/** JobFailed -> stop the job's RenderScene executions and cancel its in-flight predictions. */
export const handler = consumeEvents(
  [jobFailed],
  async ({ detail }) => {
    if (isOwnDeadStop(detail)) {
      logger.warn('dead stop message not acted on again', {
        jobId: detail.jobId,
        correlationId: detail.meta.correlationId,
      });
      return;
    }
    const result = await stopJob(detail, deps);
    logger.info('job rendering stopped', {
      jobId: detail.jobId,
      correlationId: detail.meta.correlationId,
      stage: detail.stage,
      ...result,
    });
  },
  {
    onRecordError: (error, record) =>
      logger.error('stopping a job failed', { error, messageId: record.messageId }),
  },
);
