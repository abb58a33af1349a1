import { consumeEvents, sceneReady } from '@reelay/events';
import { chainDeps } from '../../chaining/chain-deps';
import { clipReady } from '../../chaining/chain-scenes';
import { logger } from '../../powertools';

const deps = chainDeps();

/**
 * SceneReady (video scenes, on the generator's own queue) -> the scene chained from it, if any,
 * starts from its last frame. Either order of ScenePlanned and SceneReady starts it exactly once.
 */
export const handler = consumeEvents(
  [sceneReady],
  async ({ detail }) => {
    const outcome = await clipReady(
      { jobId: detail.jobId, sceneIndex: detail.sceneIndex, key: detail.key },
      deps,
    );
    if (outcome === 'started')
      logger.info('chained scene started', {
        jobId: detail.jobId,
        correlationId: detail.meta.correlationId,
        from: detail.sceneIndex,
      });
  },
  {
    onRecordError: (error, record) => logger.error('chaining failed', { error, messageId: record.messageId }),
  },
);
