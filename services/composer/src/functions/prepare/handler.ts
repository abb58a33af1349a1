import { EventPublisher, SOURCES, sceneReady } from '@reelay/events';
import {
  dynamoDocumentClient,
  eventBridgeClient,
  eventConsumer,
  readConfig,
  s3Client,
  sqsClient,
} from '@reelay/lambda';
import { z } from 'zod';
import { powertools } from '../../powertools';
import { prepareScene } from '../../scenes/prepare-scene';
import { SceneSet } from '../../scenes/scene-set';

const config = readConfig({
  COMPOSER_TABLE: z.string().min(1),
  MEDIA_BUCKET: z.string().min(1),
  COMPOSE_QUEUE_URL: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
});
const deps = {
  s3: s3Client(),
  bucket: config.MEDIA_BUCKET,
  sqs: sqsClient(),
  composeQueueUrl: config.COMPOSE_QUEUE_URL,
  scenes: new SceneSet(dynamoDocumentClient(), config.COMPOSER_TABLE),
};
const publisher = new EventPublisher({
  client: eventBridgeClient(),
  busName: config.EVENT_BUS_NAME,
  source: SOURCES.composer,
});

/**
 * SceneReady -> the scene checked and kept; the last one of a job queues its composition. Refused
 * media, a sceneCount that disagrees with the job's: JobFailed(stage=prepare) at once (failJobAs).
 */
export const handler = eventConsumer(
  powertools,
  [sceneReady],
  { failJobAs: { stage: 'prepare', publisher } },
  async ({ detail }, { logger }) => {
    const outcome = await prepareScene(detail, deps);
    const { complete, pictureCopied, alreadyComposed, transitionsRendered, transitionsFailed } = outcome;
    if (alreadyComposed) logger.warn('scene ignored: its job is composed already');
    else logger.info('scene prepared', { kind: detail.kind, complete, pictureCopied, transitionsRendered });
    if (transitionsFailed)
      logger.warn('transitions left to compose: they could not be rendered here', { transitionsFailed });
  },
);
