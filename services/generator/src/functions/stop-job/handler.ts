import { EventPublisher, jobFailed, SOURCES } from '@reelay/events';
import {
  dynamoDocumentClient,
  eventBridgeClient,
  eventConsumer,
  readConfig,
  sfnClient,
} from '@reelay/lambda';
import { z } from 'zod';
import { JobCancellations } from '../../cancellation/job-cancellations';
import { isOwnDeadStop, stopJob } from '../../cancellation/stop-job';
import { modelSettings } from '../../config';
import { powertools } from '../../powertools';
import { PredictionClaims } from '../../rendering/prediction-claims';
import { createReplicate } from '../../rendering/replicate-client';
import { replicateToken } from '../../rendering/replicate-token';

const config = readConfig({
  EVENT_BUS_NAME: z.string().min(1),
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

/**
 * JobFailed -> stop the job's RenderScene executions and cancel its in-flight predictions. Only a
 * JobFailed that does not decode fails its job from here (a failure to stop a failed job is retried).
 */
export const handler = eventConsumer(
  powertools,
  [jobFailed],
  {
    failJobAs: {
      stage: 'render',
      publisher: new EventPublisher({
        client: eventBridgeClient(),
        busName: config.EVENT_BUS_NAME,
        source: SOURCES.generator,
      }),
    },
  },
  async ({ detail }, { logger }) => {
    if (isOwnDeadStop(detail)) {
      logger.warn('dead stop message not acted on again');
      return;
    }
    const result = await stopJob(detail, deps);
    logger.info('job rendering stopped', { stage: detail.stage, ...result });
  },
);
