import { bucketNameSchema, type JobSpec, s3PrefixPath } from '@reelay/events';
import { HttpProblemError } from '@reelay/lambda';
import { z } from 'zod';
import { userSegment } from '../connections/connection-store';

/**
 * The buckets this deployment may publish to: the `publishBuckets` deploy parameter (comma-separated),
 * given to submit and the publisher as PUBLISH_BUCKETS. The publish role may put objects under
 * `users/*` of exactly these (serverless.yml, packaging/publish-buckets.cjs); empty refuses every S3
 * destination.
 */
export const publishBucketsConfig = {
  PUBLISH_BUCKETS: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    )
    .pipe(z.array(bucketNameSchema)),
};

/**
 * Where one job's files go in a destination bucket: `users/<userId>/<prefix>/<jobId>/`. The user's
 * own folder comes first and the prefix cannot climb out of it (libs/events s3PrefixSchema refuses
 * `..`, `.` and empty segments), so one user never names another's objects, and the IAM policy
 * (`<bucket>/users/*`) needs no per-user condition.
 */
export function s3ExportKeys(
  userId: string,
  prefix: string,
  jobId: string,
): { folder: string; video: string; metadata: string } {
  const path = s3PrefixPath(prefix);
  const folder = `users/${userSegment(userId)}/${path ? `${path}/` : ''}${jobId}/`;
  return { folder, video: `${folder}video.mp4`, metadata: `${folder}metadata.json` };
}

/**
 * Submit refuses (400) an S3 destination whose bucket this deployment may not write, naming the
 * field and the buckets it may: found at submit, not as a PublishFailed once the video is made.
 */
export function checkS3Destinations(
  spec: Pick<JobSpec, 'publish'>,
  allowedBuckets: readonly string[],
  /** The request's name for the list: `publish` in a job spec, `destinations` in a series. */
  field = 'publish',
  title = 'Invalid job spec',
): void {
  const refused = (spec.publish ?? []).flatMap((destination, index) =>
    destination.type === 's3' && !allowedBuckets.includes(destination.bucket)
      ? [{ path: `${field}.${index}.bucket`, message: refusal(destination.bucket, allowedBuckets) }]
      : [],
  );
  if (refused.length === 0) return;
  throw new HttpProblemError({
    status: 400,
    title,
    detail: refused.map((entry) => `${entry.path}: ${entry.message}`).join('; '),
    errors: refused,
  });
}

export function refusal(bucket: string, allowedBuckets: readonly string[]): string {
  return allowedBuckets.length === 0
    ? `this deployment publishes to no S3 bucket (its publishBuckets parameter is empty), so not to '${bucket}'`
    : `this deployment may not publish to the bucket '${bucket}'; it may publish to ${allowedBuckets.map((b) => `'${b}'`).join(', ')}`;
}
