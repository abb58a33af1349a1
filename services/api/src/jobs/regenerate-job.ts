import {
  type HttpRequestParts,
  type HttpResponse,
  idempotencyKey,
  readJsonObject,
  validate,
} from '@reelay/lambda';
import { z } from 'zod';
import { acceptJob } from './accept-job';
import { readOwnJob } from './create-job';
import { pathJobId } from './get-job';
import { JobNotFoundError } from './job-errors';
import { acceptedJobSpecSchema } from './spec-voice';
import { type SubmitJobDeps, styleReferencesOf } from './submit-job';

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
  pathParameter: string | undefined,
  req: HttpRequestParts,
  deps: SubmitJobDeps,
): Promise<HttpResponse> {
  const parentJobId = pathJobId(pathParameter);
  const key = idempotencyKey(req);
  const changes = validate(regenerateRequestSchema, readJsonObject(req), 'Invalid regenerate request');
  const parent = await readOwnJob(userId, parentJobId, deps);
  if (!parent) throw new JobNotFoundError(parentJobId);
  const spec = validate(
    acceptedJobSpecSchema,
    {
      ...parent.spec,
      ...(changes.options ?? {}),
      ...(changes.prompt ? { prompt: changes.prompt } : {}),
    },
    'Invalid regenerated job spec',
  );
  return acceptJob(
    {
      userId,
      spec,
      uploadKeys: await deps.resolveUploads(userId, spec),
      ...(await styleReferencesOf(deps.resolveUploads, userId, spec)),
      parentJobId: parent.jobId,
      history: parent.history,
      ...(key ? { idempotencyKey: key } : {}),
    },
    deps,
  );
}
