import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  type Destination,
  destinationKey,
  type EventPublisher,
  newMeta,
  publishFailed,
  type VideoComposed,
} from '@reelay/events';
import type { ApiJob } from '../jobs/api-job';
import { API_JOB_SK, apiJobPk } from '../table/api-table';
import { isConnectionSpent, markConnectionSpent } from './connection-quota';
import {
  type ClaimDeps,
  claimCheckpoints,
  claimPublication,
  completePublication,
  releasePublication,
} from './publication-claims';
import { publishToS3 } from './publish-to-s3';
import { type PublishToYouTubeDeps, publishToYouTube } from './publish-to-youtube';

export interface PublishJobDeps extends ClaimDeps {
  publisher: Pick<EventPublisher, 'publish'>;
  s3: Pick<S3Client, 'send'>;
  mediaBucket: string;
  /** The buckets S3 destinations may name (PUBLISH_BUCKETS); none when absent. */
  publishBuckets?: readonly string[];
  readConnection: PublishToYouTubeDeps['readConnection'];
  endpoints?: PublishToYouTubeDeps['endpoints'];
  chunkBytes?: number;
  retry?: PublishToYouTubeDeps['retry'];
  /**
   * The prompts of the scenes the generator planned for the job, in order (the ledger's record of its
   * plan): the video's description lists them. Without it the description is the job's prompt alone.
   */
  readPlannedScenes?: (jobId: string) => Promise<string[]>;
  /** How long a claim is held: at least the function's timeout (a crashed holder's lease runs out before SQS redelivers). */
  leaseMs: number;
  now?: () => Date;
}

/** Raised when another delivery of the same VideoComposed holds a destination: the queue retries later. */
export class PublicationHeldError extends Error {
  override readonly name = 'PublicationHeldError';
}

export type DestinationOutcome = 'published' | 'failed' | 'already-done';

/**
 * VideoComposed -> the job's `publish` destinations, each exactly once: claimed (publication-claims),
 * published, then marked done. Destinations go one after another (each is a whole-video upload; a
 * Lambda has one network link). A transient failure releases its claim and is thrown, so the message
 * is redelivered and resumes the upload; destinations already done are skipped then.
 */
export async function publishComposedVideo(
  video: VideoComposed,
  deps: PublishJobDeps,
): Promise<Record<string, DestinationOutcome>> {
  const { Item } = await deps.doc.send(
    new GetCommand({ TableName: deps.table, Key: { pk: apiJobPk(video.jobId), sk: API_JOB_SK } }),
  );
  const job = Item as ApiJob | undefined;
  const outcomes: Record<string, DestinationOutcome> = {};
  if (!job?.spec.publish?.length) return outcomes;
  for (const destination of job.spec.publish) {
    outcomes[destinationKey(destination)] = await publishOne(job, video, destination, deps);
  }
  return outcomes;
}

async function publishOne(
  job: ApiJob,
  video: VideoComposed,
  destination: Destination,
  deps: PublishJobDeps,
): Promise<DestinationOutcome> {
  const key = destinationKey(destination);
  const now = deps.now?.() ?? new Date();
  const claim = await claimPublication(job.jobId, key, deps.leaseMs, now, deps);
  if (claim.state === 'done') return 'already-done';
  if (claim.state === 'held') throw new PublicationHeldError(`${key} of job ${job.jobId} is being published`);
  try {
    const outcome = await publishToDestination(job, video, destination, claim.sessionUri, deps);
    await completePublication(job.jobId, key, outcome, deps.now?.() ?? new Date(), deps);
    return outcome;
  } catch (error) {
    await releasePublication(job.jobId, key, deps);
    throw error;
  }
}

async function publishToDestination(
  job: ApiJob,
  video: VideoComposed,
  destination: Destination,
  sessionUri: string | undefined,
  deps: PublishJobDeps,
): Promise<'published' | 'failed'> {
  const now = deps.now?.() ?? new Date();
  const common = {
    version: 1 as const,
    jobId: job.jobId,
    userId: job.userId,
    meta: newMeta(job.userId, now),
    destination,
    ...(job.series ? { series: job.series } : {}),
  };
  if (destination.type === 's3') {
    const outcome = await publishToS3(
      {
        jobId: job.jobId,
        userId: job.userId,
        ...(job.series ? { series: job.series } : {}),
        destination,
        video: { key: video.key, bytes: video.bytes, durationSec: video.durationSec },
        metadata: metadataOf(job, (await deps.readPlannedScenes?.(job.jobId)) ?? []),
      },
      {
        publisher: deps.publisher,
        s3: deps.s3,
        mediaBucket: deps.mediaBucket,
        publishBuckets: deps.publishBuckets ?? [],
        now: () => now,
      },
    );
    return outcome.published ? 'published' : 'failed';
  }
  if (await isConnectionSpent(job.userId, destination.connection, now, deps)) {
    await deps.publisher.publish(publishFailed, {
      ...common,
      reason: 'quota-exceeded',
      message: `the YouTube connection '${destination.connection}' spent its daily quota earlier today (Pacific Time); not tried again until tomorrow`,
    });
    return 'failed';
  }
  const outcome = await publishToYouTube(
    {
      jobId: job.jobId,
      userId: job.userId,
      ...(job.series ? { series: job.series } : {}),
      destination,
      metadata: metadataOf(job, (await deps.readPlannedScenes?.(job.jobId)) ?? []),
      video: { bytes: video.bytes, read: (start, end) => readRange(video.key, start, end, deps) },
    },
    {
      publisher: deps.publisher,
      readConnection: deps.readConnection,
      checkpoints: claimCheckpoints(job.jobId, destinationKey(destination), sessionUri, deps),
      ...(deps.endpoints ? { endpoints: deps.endpoints } : {}),
      ...(deps.chunkBytes ? { chunkBytes: deps.chunkBytes } : {}),
      ...(deps.retry ? { retry: deps.retry } : {}),
      now: () => now,
    },
  );
  if (!outcome.published && outcome.reason === 'quota-exceeded')
    await markConnectionSpent(job.userId, destination.connection, now, deps);
  return outcome.published ? 'published' : 'failed';
}

/**
 * Title, description and tags from the job and its plan: the title is the prompt's first sentence (a
 * plan has no title of its own; the recipe and job id without a prompt), the description the prompt and
 * the planned scenes in order, the tags `reelay` and the recipe. fitYouTubeMetadata fits them.
 */
export function metadataOf(
  job: Pick<ApiJob, 'jobId' | 'spec'>,
  plannedScenes: readonly string[] = [],
): {
  title: string;
  description: string;
  tags: string[];
} {
  const prompt = job.spec.prompt?.trim();
  const firstLine = prompt?.split(/(?<=[.!?])\s|\n/)[0]?.trim();
  const scenes = plannedScenes.map((scene, i) => `${i + 1}. ${scene.trim()}`).join('\n');
  return {
    title: firstLine || `Reelay ${job.spec.recipe} video ${job.jobId}`,
    description: [prompt, scenes && `Scenes:\n${scenes}`, 'Made with Reelay.'].filter(Boolean).join('\n\n'),
    tags: ['reelay', job.spec.recipe],
  };
}

/** One byte range of the final video: an S3 ranged GET, so a chunk is all the publisher holds in memory. */
async function readRange(
  key: string,
  start: number,
  endExclusive: number,
  deps: PublishJobDeps,
): Promise<Buffer> {
  const { Body } = await deps.s3.send(
    new GetObjectCommand({ Bucket: deps.mediaBucket, Key: key, Range: `bytes=${start}-${endExclusive - 1}` }),
  );
  if (!Body) throw new Error(`s3://${deps.mediaBucket}/${key} has no body`);
  return Buffer.from(await Body.transformToByteArray());
}
