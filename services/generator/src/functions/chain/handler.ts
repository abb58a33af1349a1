import { EventPublisher, SOURCES, sceneReady } from '@reelay/events';
import { eventBridgeClient, eventConsumer, readConfig } from '@reelay/lambda';
import { z } from 'zod';
import { chainDeps } from '../../chaining/chain-deps';
import { clipReady } from '../../chaining/chain-scenes';
import { powertools } from '../../powertools';

const config = readConfig({ EVENT_BUS_NAME: z.string().min(1) });
const deps = chainDeps();
const publisher = new EventPublisher({
  client: eventBridgeClient(),
  busName: config.EVENT_BUS_NAME,
  source: SOURCES.generator,
});

/**
 * SceneReady (video scenes, on the generator's own queue) -> the scene chained from it, if any,
 * starts from its last frame. Either order of ScenePlanned and SceneReady starts it exactly once.
 */
export const handler = eventConsumer(
  powertools,
  [sceneReady],
  { failJobAs: { stage: 'render', publisher } },
  async ({ detail }, { logger }) => {
    const outcome = await clipReady(
      { jobId: detail.jobId, sceneIndex: detail.sceneIndex, key: detail.key },
      deps,
    );
    if (outcome === 'started') logger.info('chained scene started', { from: detail.sceneIndex });
  },
);
