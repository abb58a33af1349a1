import type { JobSpec } from '@reelay/events';
import {
  type HttpRequestParts,
  type HttpResponse,
  idempotencyKey,
  readJsonObject,
  validate,
} from '@reelay/lambda';
import { type ConnectionCheck, checkPublishConnections } from '../publishing/publish-connections';
import { checkS3Destinations } from '../publishing/s3-destination';
import { resolveStyleReferences } from '../uploads/style-references';
import { type AcceptJobDeps, acceptJob } from './accept-job';
import { acceptedJobSpecSchema } from './spec-voice';

/** Resolves the upload ids a spec names to the caller's validated S3 keys (UnusableUploadError, a 422, otherwise). */
/** `{ styleReferenceKeys }` when the spec has style references (resolved like story pages), else `{}`. */
export async function styleReferencesOf(
  resolveUploads: UploadResolver,
  userId: string,
  spec: JobSpec,
): Promise<{ styleReferenceKeys?: string[] }> {
  const keys = await resolveStyleReferences(resolveUploads, userId, spec);
  return keys ? { styleReferenceKeys: keys } : {};
}

export type UploadResolver = (userId: string, spec: JobSpec) => Promise<string[]>;

export interface SubmitJobDeps extends AcceptJobDeps {
  resolveUploads: UploadResolver;
  /**
   * Whether the user stored this connection (connections/connection-store connectionExists); the
   * handler always gives it. Without it a job naming destinations is refused (503), never accepted unchecked.
   */
  connectionExists?: ConnectionCheck;
  /** The buckets an S3 destination may name (PUBLISH_BUCKETS): any other is a 400 at submit; none when absent. */
  publishBuckets?: readonly string[];
}

/** POST /jobs: validates the spec and its uploads, then accepts the job (quota, idempotency, JobRequested). */
export async function submitJob(
  userId: string,
  req: HttpRequestParts,
  deps: SubmitJobDeps,
): Promise<HttpResponse> {
  const key = idempotencyKey(req);
  const spec = validate(acceptedJobSpecSchema, readJsonObject(req), 'Invalid job spec');
  checkS3Destinations(spec, deps.publishBuckets ?? []);
  await checkPublishConnections(userId, spec, deps.connectionExists);
  return acceptJob(
    {
      userId,
      spec,
      uploadKeys: await deps.resolveUploads(userId, spec),
      ...(await styleReferencesOf(deps.resolveUploads, userId, spec)),
      ...(key ? { idempotencyKey: key } : {}),
    },
    deps,
  );
}
