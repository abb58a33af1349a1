import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { EventPublisher, SOURCES } from '@reelay/events';
import {
  dynamoDocumentClient,
  eventBridgeClient,
  readConfig,
  recordConsumer,
  s3Client,
  sqsClient,
} from '@reelay/lambda';
import { z } from 'zod';
import { ChunkSet } from '../../composing/chunk-set';
import { composeRequest } from '../../composing/compose-request';
import { composeDeadline, composeTimeConfig } from '../../composing/compose-runtime';
import { metrics, powertools } from '../../powertools';
import { SceneSet } from '../../scenes/scene-set';

const config = readConfig({
  COMPOSER_TABLE: z.string().min(1),
  MEDIA_BUCKET: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  /** The queue compose requests come from: a request that finds the lease held is queued there again. */
  COMPOSE_QUEUE_URL: z.string().min(1),
  ...composeTimeConfig,
  /**
   * A job with more visual scenes than this (and transitions) is composed in chunks of at most
   * this many scenes, one compose-chunk invocation each, in parallel, then joined here by stream
   * copy; a shorter job stays one composition. Tests set it low to chunk a 6-scene job.
   */
  COMPOSE_CHUNK_SCENES: z.coerce.number().int().min(1).default(24),
  /** compose-chunk's queue: one message per part of a chunked composition. */
  COMPOSE_CHUNK_QUEUE_URL: z.string().min(1),
});
const doc = dynamoDocumentClient();
const scenes = new SceneSet(doc, config.COMPOSER_TABLE);
const chunks = new ChunkSet(doc, config.COMPOSER_TABLE);
const publisher = new EventPublisher({
  client: eventBridgeClient(),
  busName: config.EVENT_BUS_NAME,
  source: SOURCES.composer,
});
const composeRequestSchema = z.object({ jobId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/) });

/**
 * A compose request ({ jobId }, queued by prepare) -> the job's video, VideoComposed. Media that
 * cannot be composed fails the job at once (failJobAs); anything else is retried, then dead-lettered.
 */
export const handler = recordConsumer(
  powertools,
  { failJobAs: { stage: 'compose', publisher } },
  async (record, { logger, context, identify }) => {
    const { jobId } = composeRequestSchema.parse(JSON.parse(record.body));
    // The request names only the job: its owner and correlation id come from the job's record.
    const job = await scenes.get(jobId);
    if (job) identify(job.meta);
    // The lease is renewed while the composition runs (lease-keeper.ts), so it can be short.
    const { signal, renewedLeaseMs: leaseMs } = composeDeadline(context, config);
    const started = performance.now();
    const outcome = await composeRequest(jobId, {
      s3: s3Client(),
      bucket: config.MEDIA_BUCKET,
      scenes,
      publisher,
      owner: `${context.awsRequestId}:${randomUUID()}`,
      leaseMs,
      signal,
      chunking: {
        scenesPerChunk: config.COMPOSE_CHUNK_SCENES,
        chunks,
        dispatch: async (id, parts) => {
          // One message per part, ten a batch would need SendMessageBatch's partial failures
          // handled; a few dozen single sends cost milliseconds next to the composition.
          await Promise.all(
            parts.map((part) =>
              sqsClient().send(
                new SendMessageCommand({
                  QueueUrl: config.COMPOSE_CHUNK_QUEUE_URL,
                  MessageBody: JSON.stringify({ jobId: id, part }),
                }),
              ),
            ),
          );
        },
      },
      requeue: async (delaySec) => {
        await sqsClient().send(
          new SendMessageCommand({
            QueueUrl: config.COMPOSE_QUEUE_URL,
            MessageBody: record.body,
            DelaySeconds: delaySec,
          }),
        );
      },
    });
    // Published with the invocation's other metrics when it ends (logMetrics).
    if (outcome === 'composed')
      metrics.addMetric('ComposeMs', MetricUnit.Milliseconds, Math.round(performance.now() - started));
    logger.info('compose request handled', { outcome });
  },
);
