import type { JobSpec } from '@reelay/events';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import {
  type HttpRequestParts,
  idempotencyKey,
  type Parsed,
  readJsonObject,
  validate,
} from '../http/request';
import { type AcceptJobDeps, acceptJob } from './accept-job';
import { acceptedJobSpecSchema } from './spec-voice';

/** Resolves the upload ids a spec names to the caller's validated S3 keys (422 otherwise). */
export type UploadResolver = (userId: string, spec: JobSpec) => Promise<Parsed<string[]>>;

export interface SubmitJobDeps extends AcceptJobDeps {
  resolveUploads: UploadResolver;
}

/** POST /jobs: validates the spec and its uploads, then accepts the job (quota, idempotency, JobRequested). */
export async function submitJob(
  userId: string,
  req: HttpRequestParts,
  deps: SubmitJobDeps,
): Promise<APIGatewayProxyResultV2> {
  const key = idempotencyKey(req);
  if (!key.ok) return key.response;
  const body = readJsonObject(req);
  if (!body.ok) return body.response;
  const spec = validate(acceptedJobSpecSchema, body.value, 'Invalid job spec');
  if (!spec.ok) return spec.response;
  const uploadKeys = await deps.resolveUploads(userId, spec.value);
  if (!uploadKeys.ok) return uploadKeys.response;
  return acceptJob(
    {
      userId,
      spec: spec.value,
      uploadKeys: uploadKeys.value,
      ...(key.value ? { idempotencyKey: key.value } : {}),
    },
    deps,
  );
}
