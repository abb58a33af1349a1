import { EventPublisher, SOURCES, scenePlanned } from '@reelay/events';
import { eventBridgeClient, eventConsumer, readConfig, s3Client } from '@reelay/lambda';
import { z } from 'zod';
import { chainDeps } from '../../chaining/chain-deps';
import { metrics, powertools } from '../../powertools';
import { executionName } from '../../rendering/render-state';
import { recordSceneLatency } from '../../rendering/scene-latency';
import { startScene } from './start-scene';

const config = readConfig({ EVENT_BUS_NAME: z.string().min(1) });
const deps = {
  ...chainDeps(),
  s3: s3Client(),
  publisher: new EventPublisher({
    client: eventBridgeClient(),
    busName: config.EVENT_BUS_NAME,
    source: SOURCES.generator,
  }),
};

/**
 * ScenePlanned -> the scene's start: one RenderScene execution named <jobId>-<sceneIndex>-<attempt>
 * (redelivery never renders twice), an upload copied into the job, or a chained scene parked until
 * the scene it continues is stored. A scene that cannot start (refused upload, invalid event) fails
 * its job at once.
 */
export const handler = eventConsumer(
  powertools,
  [scenePlanned],
  { failJobAs: { stage: 'render', publisher: deps.publisher } },
  async ({ detail }, { logger }) => {
    const outcome = await startScene(detail, deps);
    // An upload is ready as soon as it is copied: its latency is the copy's (published with the
    // invocation's metrics). Rendered scenes record theirs when stored (storeScene).
    if (outcome === 'imported') recordSceneLatency(metrics, detail.meta.occurredAt, new Date());
    logger.info('scene started', { kind: detail.kind, outcome, execution: executionName(detail) });
  },
);
