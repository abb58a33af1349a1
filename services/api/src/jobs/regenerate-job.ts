import { ulidSchema } from '@reelay/events';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { type HttpRequestParts, idempotencyKey, readJsonObject, validate } from '../http/request';
import { acceptJob } from './accept-job';
import { readOwnJob } from './create-job';
import { invalidJobId, jobNotFound } from './get-job';
import { acceptedJobSpecSchema } from './spec-voice';
import type { SubmitJobDeps } from './submit-job';

/** The body of POST /jobs/{jobId}/regenerate: a new prompt and/or spec fields that replace the parent's. */
export const regenerateRequestSchema = z
  .strictObject({
    prompt: z.string().trim().min(1).max(2000).optional(),
    /** Any job spec fields; the merged spec is validated like a POST /jobs body. */
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((r) => r.prompt !== undefined || (r.options && Object.keys(r.options).length > 0), {
    message: 'send a new prompt, options to change, or both',
  });

/** POST /jobs/{jobId}/regenerate: a new job with parentJobId, the parent's spec and the changes. */
export async function regenerateJob(
  userId: string,
  parentJobId: string | undefined,
  req: HttpRequestParts,
  deps: SubmitJobDeps,
): Promise<APIGatewayProxyResultV2> {
  if (!parentJobId || !ulidSchema.safeParse(parentJobId).success) return invalidJobId();
  const key = idempotencyKey(req);
  if (!key.ok) return key.response;
  const body = readJsonObject(req);
  if (!body.ok) return body.response;
  const changes = validate(regenerateRequestSchema, body.value, 'Invalid regenerate request');
  if (!changes.ok) return changes.response;
  const parent = await readOwnJob(userId, parentJobId, deps);
  if (!parent) return jobNotFound(parentJobId);
  const spec = validate(
    acceptedJobSpecSchema,
    {
      ...parent.spec,
      ...(changes.value.options ?? {}),
      ...(changes.value.prompt ? { prompt: changes.value.prompt } : {}),
    },
    'Invalid regenerated job spec',
  );
  if (!spec.ok) return spec.response;
  const uploadKeys = await deps.resolveUploads(userId, spec.value);
  if (!uploadKeys.ok) return uploadKeys.response;
  return acceptJob(
    {
      userId,
      spec: spec.value,
      uploadKeys: uploadKeys.value,
      parentJobId: parent.jobId,
      history: parent.history,
      ...(key.value ? { idempotencyKey: key.value } : {}),
    },
    deps,
  );
}
