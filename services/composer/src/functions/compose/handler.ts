import { randomUUID } from 'node:crypto';
import { consumeRecords, EventPublisher, SOURCES } from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, readConfig, s3Client } from '@reelay/lambda';
import { z } from 'zod';
import { composeJob } from '../../composing/compose-job';
import { logger } from '../../powertools';
import { SceneSet } from '../../scenes/scene-set';

const config = readConfig({
  COMPOSER_TABLE: z.string().min(1),
  MEDIA_BUCKET: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
});
const scenes = new SceneSet(dynamoDocumentClient(), config.COMPOSER_TABLE);
const publisher = new EventPublisher({
  client: eventBridgeClient(),
  busName: config.EVENT_BUS_NAME,
  source: SOURCES.composer,
});
const composeRequestSchema = z.object({ jobId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/) });
/** ffmpeg is stopped this long before the Lambda timeout, so the error is ours and recorded, not a kill. */
const SAFETY_MARGIN_MS = 15_000;

export const handler = consumeRecords(
  async (record, context) => {
    const { jobId } = composeRequestSchema.parse(JSON.parse(record.body));
    const remaining = context.getRemainingTimeInMillis();
    const signal = AbortSignal.timeout(Math.max(1000, remaining - SAFETY_MARGIN_MS));
    const outcome = await composeJob(jobId, {
      s3: s3Client(),
      bucket: config.MEDIA_BUCKET,
      scenes,
      publisher,
      owner: `${context.awsRequestId}:${randomUUID()}`,
      leaseMs: remaining + 60_000,
      signal,
    });
    logger.info('compose request handled', { jobId, outcome });
  },
  {
    onRecordError: (error, record) =>
      logger.error('compose request failed', { error, messageId: record.messageId }),
  },
);
