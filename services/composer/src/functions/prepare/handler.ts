import { consumeEvents, sceneReady } from '@reelay/events';
import { dynamoDocumentClient, readConfig, s3Client, sqsClient } from '@reelay/lambda';
import { z } from 'zod';
import { logger } from '../../powertools';
import { prepareScene } from '../../scenes/prepare-scene';
import { SceneSet } from '../../scenes/scene-set';

const config = readConfig({
  COMPOSER_TABLE: z.string().min(1),
  MEDIA_BUCKET: z.string().min(1),
  COMPOSE_QUEUE_URL: z.string().min(1),
});
const deps = {
  s3: s3Client(),
  bucket: config.MEDIA_BUCKET,
  sqs: sqsClient(),
  composeQueueUrl: config.COMPOSE_QUEUE_URL,
  scenes: new SceneSet(dynamoDocumentClient(), config.COMPOSER_TABLE),
};

export const handler = consumeEvents(
  [sceneReady],
  async ({ detail }) => {
    const { complete } = await prepareScene(detail, deps);
    logger.info('scene prepared', {
      jobId: detail.jobId,
      correlationId: detail.meta.correlationId,
      sceneIndex: detail.sceneIndex,
      complete,
    });
  },
  {
    onRecordError: (error, record) =>
      logger.error('scene not prepared', { error, messageId: record.messageId }),
  },
);
