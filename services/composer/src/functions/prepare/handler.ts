import { consumeEvents, EventPublisher, SOURCES, sceneReady } from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, readConfig, s3Client, sqsClient } from '@reelay/lambda';
import { z } from 'zod';
import { failJobOrRethrow } from '../../failures/fail-job';
import { logger } from '../../powertools';
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

export const handler = consumeEvents(
  [sceneReady],
  async ({ detail }, record) => {
    const log = {
      jobId: detail.jobId,
      correlationId: detail.meta.correlationId,
      sceneIndex: detail.sceneIndex,
    };
    try {
      const { complete, pictureCopied, alreadyComposed } = await prepareScene(detail, deps);
      if (alreadyComposed) logger.warn('scene ignored: its job is composed already', log);
      else logger.info('scene prepared', { ...log, kind: detail.kind, complete, pictureCopied });
    } catch (error) {
      // Refused media, a sceneCount that disagrees with the job's: JobFailed(stage=prepare) now.
      await failJobOrRethrow(
        error,
        {
          jobId: detail.jobId,
          meta: detail.meta,
          stage: 'prepare',
          sceneIndex: detail.sceneIndex,
          deadMessage: record.body,
        },
        publisher,
      );
      logger.warn('scene refused; job failed', { ...log, error });
    }
  },
  {
    onRecordError: (error, record) =>
      logger.error('scene not prepared', { error, messageId: record.messageId }),
  },
);
