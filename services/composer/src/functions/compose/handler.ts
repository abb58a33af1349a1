import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { consumeRecords, EventPublisher, SOURCES } from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, readConfig, s3Client } from '@reelay/lambda';
import { z } from 'zod';
import { composeJob } from '../../composing/compose-job';
import { failJobOrRethrow } from '../../failures/fail-job';
import { logger, metrics } from '../../powertools';
import { SceneSet } from '../../scenes/scene-set';

const config = readConfig({
  COMPOSER_TABLE: z.string().min(1),
  MEDIA_BUCKET: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  /**
   * How long before the Lambda timeout ffmpeg is stopped, so the error is ours (the lease is
   * given back, the message retried) and not a kill.
   */
  COMPOSE_SAFETY_MARGIN_MS: z.coerce.number().int().min(0).default(15_000),
  /** The least time ffmpeg gets however near the deadline (a test sets 0 to force the timeout path). */
  COMPOSE_MIN_RUN_MS: z.coerce.number().int().min(0).default(500),
  /**
   * Lease length; by default the time left plus a minute, so it outlives the composer. Must stay
   * below the compose queue's visibility timeout: a crashed composer's request comes back then and
   * must find the lease expired (the reliability soak shortens both).
   */
  COMPOSE_LEASE_MS: z.coerce.number().int().min(1000).optional(),
});
const scenes = new SceneSet(dynamoDocumentClient(), config.COMPOSER_TABLE);
const publisher = new EventPublisher({
  client: eventBridgeClient(),
  busName: config.EVENT_BUS_NAME,
  source: SOURCES.composer,
});
const composeRequestSchema = z.object({ jobId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/) });

export const handler = consumeRecords(
  async (record, context) => {
    const { jobId } = composeRequestSchema.parse(JSON.parse(record.body));
    const remaining = context.getRemainingTimeInMillis();
    const signal = AbortSignal.timeout(
      Math.max(config.COMPOSE_MIN_RUN_MS, remaining - config.COMPOSE_SAFETY_MARGIN_MS),
    );
    const started = performance.now();
    try {
      const outcome = await composeJob(jobId, {
        s3: s3Client(),
        bucket: config.MEDIA_BUCKET,
        scenes,
        publisher,
        owner: `${context.awsRequestId}:${randomUUID()}`,
        leaseMs: config.COMPOSE_LEASE_MS ?? remaining + 60_000,
        signal,
      });
      if (outcome === 'composed') {
        metrics.addMetric('ComposeMs', MetricUnit.Milliseconds, Math.round(performance.now() - started));
        metrics.publishStoredMetrics();
      }
      logger.info('compose request handled', { jobId, outcome });
    } catch (error) {
      const job = await scenes.get(jobId);
      if (!job) throw error;
      await failJobOrRethrow(
        error,
        { jobId, meta: job.meta, stage: 'compose', deadMessage: record.body },
        publisher,
      );
      logger.warn('composition failed for good; job failed', {
        jobId,
        correlationId: job.meta.correlationId,
        error,
      });
    }
  },
  {
    onRecordError: (error, record) =>
      logger.error('compose request failed', { error, messageId: record.messageId }),
  },
);
