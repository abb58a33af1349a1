import { consumeEvents, EventPublisher, jobRequested, outgoing, SOURCES, scenePlanned } from '@reelay/events';
import { eventBridgeClient, readConfig } from '@reelay/lambda';
import { z } from 'zod';
import { modelSetFromEnv } from '../../config';
import { planDeterministically } from '../../planning/deterministic-planner';
import { logger } from '../../powertools';

const config = readConfig({ EVENT_BUS_NAME: z.string().min(1) });
const publisher = new EventPublisher({
  client: eventBridgeClient(),
  busName: config.EVENT_BUS_NAME,
  source: SOURCES.generator,
});
const modelSet = modelSetFromEnv();

/** JobRequested -> one ScenePlanned per scene. Re-planning a redelivered job publishes the same scenes. */
export const handler = consumeEvents(
  [jobRequested],
  async ({ detail }) => {
    const scenes = planDeterministically(detail, modelSet);
    await publisher.publishAll(scenes.map((scene) => outgoing(scenePlanned, scene)));
    logger.info('job planned', {
      jobId: detail.jobId,
      correlationId: detail.meta.correlationId,
      scenes: scenes.length,
    });
  },
  {
    onRecordError: (error, record) => logger.error('planning failed', { error, messageId: record.messageId }),
  },
);
