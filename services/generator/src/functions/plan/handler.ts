import { consumeEvents, jobRequested } from '@reelay/events';
import { planDeps } from '../../planning/plan-deps';
import { planJob } from '../../planning/plan-job';
import { logger } from '../../powertools';

const deps = planDeps((error, job) =>
  logger.warn('planning model failed; the deterministic plan is used', {
    jobId: job.jobId,
    correlationId: job.meta.correlationId,
    error,
  }),
);

/** JobRequested -> one ScenePlanned per scene. Re-planning a redelivered job publishes the same scenes. */
export const handler = consumeEvents(
  [jobRequested],
  async ({ detail }) => {
    const result = await planJob(detail, deps);
    const context = { jobId: detail.jobId, correlationId: detail.meta.correlationId };
    if (result.outcome === 'rejected')
      logger.warn('job rejected at planning', { ...context, reason: result.reason });
    else
      logger.info('job planned', {
        ...context,
        recipe: detail.spec.recipe,
        planner: result.planner,
        scenes: result.scenes.length,
      });
  },
  {
    onRecordError: (error, record) => logger.error('planning failed', { error, messageId: record.messageId }),
  },
);
