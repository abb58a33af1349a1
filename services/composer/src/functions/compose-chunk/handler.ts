import { randomUUID } from 'node:crypto';
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
import { composePart } from '../../composing/compose-part';
import { secondsBeforeRecheck } from '../../composing/compose-request';
import { composeDeadline, composeTimeConfig } from '../../composing/compose-runtime';
import { CompositionLeasedElsewhereError } from '../../errors';
import { powertools } from '../../powertools';
import { SceneSet } from '../../scenes/scene-set';

const config = readConfig({
  COMPOSER_TABLE: z.string().min(1),
  MEDIA_BUCKET: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  /** The job's compose queue: the part that completes the chunk set asks there for the join. */
  COMPOSE_QUEUE_URL: z.string().min(1),
  /** This function's own queue: a part claimed by a live invocation is queued here again, delayed. */
  COMPOSE_CHUNK_QUEUE_URL: z.string().min(1),
  ...composeTimeConfig,
});
const doc = dynamoDocumentClient();
const scenes = new SceneSet(doc, config.COMPOSER_TABLE);
const chunks = new ChunkSet(doc, config.COMPOSER_TABLE);
const publisher = new EventPublisher({
  client: eventBridgeClient(),
  busName: config.EVENT_BUS_NAME,
  source: SOURCES.composer,
});
const partSchema = z.object({
  jobId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/),
  part: z.number().int().min(0),
});

/**
 * A compose-chunk message ({ jobId, part }, sent by compose for a long job) -> that part of the
 * chunked composition stored in S3 and recorded in the chunk set; the last part done queues the
 * compose request that joins them. Media that cannot be composed fails the job at once
 * (failJobAs); anything else is retried, then dead-lettered (ComposeChunkDlq -> JobFailed).
 */
export const handler = recordConsumer(
  powertools,
  { failJobAs: { stage: 'compose', publisher } },
  async (record, { logger, context, identify }) => {
    const { jobId, part } = partSchema.parse(JSON.parse(record.body));
    const job = await scenes.get(jobId);
    if (job) identify(job.meta);
    const { signal, renewedLeaseMs } = composeDeadline(context, config);
    const send = (queueUrl: string, body: string, delaySec = 0) =>
      sqsClient().send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, DelaySeconds: delaySec }),
      );
    try {
      const outcome = await composePart(jobId, part, {
        s3: s3Client(),
        bucket: config.MEDIA_BUCKET,
        scenes,
        chunks,
        owner: `${context.awsRequestId}:${randomUUID()}`,
        // Renewed while the part renders: a crashed invocation's part is taken up within a minute.
        claimMs: renewedLeaseMs,
        signal,
        requestJoin: async () => {
          await send(config.COMPOSE_QUEUE_URL, JSON.stringify({ jobId }));
        },
      });
      logger.info('compose part handled', { part, outcome });
    } catch (error) {
      if (!(error instanceof CompositionLeasedElsewhereError)) throw error;
      // Not dropped (the holder may have died) and not left to redelivery (which counts towards
      // the DLQ): the same message again, delayed past the claim (README "Composition lease").
      await send(
        config.COMPOSE_CHUNK_QUEUE_URL,
        record.body,
        secondsBeforeRecheck(error.leaseUntil, Date.now()),
      );
      logger.info('compose part requeued: claimed elsewhere', { part });
    }
  },
);
