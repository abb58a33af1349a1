import { CopyObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type Destination,
  type EventPublisher,
  newMeta,
  publishFailed,
  type SeriesRef,
  videoPublished,
} from '@reelay/events';
import {
  DestinationAuthError,
  DestinationRejectedError,
  DestinationUnavailableError,
  PublishError,
} from './publish-errors';
import { refusal, s3ExportKeys } from './s3-destination';

type S3Destination = Extract<Destination, { type: 's3' }>;

/** Where the copy is (its s3:// URI), or the PublishFailed reason. */
export type S3PublishOutcome =
  | { published: true; url: string }
  | { published: false; reason: PublishError['reason'] };

export interface PublishToS3Input {
  jobId: string;
  userId: string;
  series?: SeriesRef;
  destination: S3Destination;
  /** The composed video in the media bucket (VideoComposed's key, bytes and duration). */
  video: { key: string; bytes: number; durationSec: number };
  /** Title, description and tags from the job's plan (publish-job metadataOf). */
  metadata: { title: string; description: string; tags: string[] };
}

export interface PublishToS3Deps {
  publisher: Pick<EventPublisher, 'publish'>;
  s3: Pick<S3Client, 'send'>;
  mediaBucket: string;
  /** The buckets this deployment may write (PUBLISH_BUCKETS); any other is refused without calling S3. */
  publishBuckets: readonly string[];
  now?: () => Date;
}

/**
 * Publishes one job's video to one S3 destination: a server-side CopyObject of the final video from
 * the media bucket (no byte passes through the function; the role reads `jobs/*` and writes
 * `<bucket>/users/*`; one request copies up to 5 GB, far more than a Reelay video), then the metadata JSON beside it, written last so its presence means the
 * folder is complete. Both keys are fixed by the job, so a redelivery or replay that gets this far
 * again rewrites the same two objects; the claim (publish-job) makes that rare. VideoPublished names
 * the copy's s3:// URI. A refusal (AccessDenied, NoSuchBucket, any other 4xx) is PublishFailed with
 * the S3 error named; throttling, 5xx and a broken connection are thrown for the queue to retry.
 */
export async function publishToS3(input: PublishToS3Input, deps: PublishToS3Deps): Promise<S3PublishOutcome> {
  const now = deps.now?.() ?? new Date();
  const common = {
    version: 1 as const,
    jobId: input.jobId,
    userId: input.userId,
    meta: newMeta(input.userId, now),
    destination: input.destination,
    ...(input.series ? { series: input.series } : {}),
  };
  const { bucket } = input.destination;
  const keys = s3ExportKeys(input.userId, input.destination.prefix, input.jobId);
  try {
    // Submit refuses such a bucket; a job accepted before the parameter changed meets it here.
    if (!deps.publishBuckets.includes(bucket))
      throw new DestinationRejectedError(refusal(bucket, deps.publishBuckets));
    await send(bucket, keys.video, deps, () =>
      deps.s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: keys.video,
          CopySource: `${deps.mediaBucket}/${encodeURI(input.video.key)}`,
          MetadataDirective: 'REPLACE',
          ContentType: 'video/mp4',
        }),
      ),
    );
    await send(bucket, keys.metadata, deps, () =>
      deps.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: keys.metadata,
          ContentType: 'application/json',
          Body: JSON.stringify(exportMetadata(input), null, 2),
        }),
      ),
    );
    const url = `s3://${bucket}/${keys.video}`;
    await deps.publisher.publish(videoPublished, { ...common, url });
    return { published: true, url };
  } catch (error) {
    if (!(error instanceof PublishError) || error.retryable) throw error;
    await deps.publisher.publish(publishFailed, {
      ...common,
      reason: error.reason,
      message: error.message.slice(0, 2000) || error.name,
    });
    return { published: false, reason: error.reason };
  }
}

/** The JSON written beside the video: what a reader of the bucket needs to list or re-publish it. */
export function exportMetadata(input: PublishToS3Input) {
  return {
    jobId: input.jobId,
    title: input.metadata.title,
    description: input.metadata.description,
    tags: input.metadata.tags,
    durationSec: input.video.durationSec,
    bytes: input.video.bytes,
    video: 'video.mp4',
    ...(input.series ? { series: input.series } : {}),
  };
}

async function send(bucket: string, key: string, deps: PublishToS3Deps, call: () => Promise<unknown>) {
  try {
    await call();
  } catch (error) {
    throw classifyS3Error(error, bucket, key, deps.mediaBucket);
  }
}

interface S3ErrorShape {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

/**
 * S3's answer -> a PublishError: AccessDenied (the bucket's policy or Object Ownership does not let
 * the publish role write there) -> `auth`; NoSuchBucket and any other 4xx -> `rejected`; 5xx,
 * SlowDown and a connection that broke without an answer (the SDK has retried them already) ->
 * DestinationUnavailableError, thrown for the queue.
 */
export function classifyS3Error(
  error: unknown,
  bucket: string,
  key: string,
  mediaBucket: string,
): PublishError {
  const shaped = error as S3ErrorShape;
  const status = shaped.$metadata?.httpStatusCode;
  const code = shaped.name ?? 'Error';
  const said = `${code}: ${shaped.message ?? ''}`.trim();
  if (status === undefined || status >= 500 || status === 429 || code === 'SlowDown')
    return new DestinationUnavailableError(`S3 did not take s3://${bucket}/${key}: ${said}`, {
      cause: error,
    });
  if (code === 'AccessDenied' || status === 403)
    return new DestinationAuthError(
      `S3 refused s3://${bucket}/${key} (${said}): the publish role may not write there (or read s3://${mediaBucket}/jobs/); a bucket of another account must grant it s3:PutObject on users/*`,
      { cause: error },
    );
  if (code === 'NoSuchBucket')
    return new DestinationRejectedError(`the bucket '${bucket}' does not exist (${said})`, { cause: error });
  return new DestinationRejectedError(`S3 refused s3://${bucket}/${key}: ${said}`, { cause: error });
}
