import { jobRequested } from '@reelay/events';
import { eventConsumer } from '@reelay/lambda';
import { planDeps } from '../../planning/plan-deps';
import { planJob } from '../../planning/plan-job';
import { powertools } from '../../powertools';

const deps = planDeps(() => undefined);

/** JobRequested -> one ScenePlanned per scene. Re-planning a redelivered job publishes the same scenes. */
export const handler = eventConsumer(
  powertools,
  [jobRequested],
  { failJobAs: { stage: 'plan', publisher: deps.publisher } },
  async ({ detail }, { logger }) => {
    const result = await planJob(detail, {
      ...deps,
      onModelFallback: (error) =>
        logger.warn('planning model failed; the deterministic plan is used', { error }),
    });
    if (result.outcome === 'rejected') logger.warn('job rejected at planning', { reason: result.reason });
    else
      logger.info('job planned', {
        recipe: detail.spec.recipe,
        planner: result.planner,
        scenes: result.scenes.length,
      });
  },
);
