import { ulid } from 'ulid';
import { z } from 'zod';
import { jobIdSchema, metaSchema, newMeta, ulidSchema } from '../common';
import { defineEvent, EVENT_VERSION, SOURCES } from '../define-event';
import { type JobSpecInput, jobSpecSchema } from '../job-spec';
import { JOB_LIMITS } from '../limits';

export const JOB_REQUESTED = 'JobRequested' as const;

export const jobRequestedSchema = z.strictObject({
  version: z.literal(EVENT_VERSION),
  jobId: jobIdSchema,
  meta: metaSchema,
  spec: jobSpecSchema,
  parentJobId: jobIdSchema.optional(),
  /** Uploads resolved by the api to their S3 keys, in the spec's order. */
  uploadKeys: z.array(z.string().min(1)).max(JOB_LIMITS.storyPages).default([]),
  /** spec.styleReferences resolved by the api to their S3 keys (images), in the spec's order. */
  styleReferenceKeys: z.array(z.string().min(1)).min(1).max(4).optional(),
  deadlineAt: z.iso.datetime(),
  /**
   * An episode of a series (the api's series, services/api/src/series): which series and which of its
   * items the job makes. Set by the api only (POST /jobs cannot name it); publishing passes it on.
   */
  series: z.strictObject({ seriesId: ulidSchema, itemId: z.string().min(1).max(64) }).optional(),
});
export type JobRequested = z.infer<typeof jobRequestedSchema>;

export const jobRequested = defineEvent(JOB_REQUESTED, jobRequestedSchema, [SOURCES.api]);

/** Test factory: a valid JobRequested, overridable field by field. */
export function makeJobRequested(
  overrides: Partial<Omit<JobRequested, 'spec'>> & { spec?: JobSpecInput } = {},
): JobRequested {
  const now = new Date();
  return jobRequestedSchema.parse({
    version: EVENT_VERSION,
    jobId: ulid(),
    meta: newMeta('user-test', now),
    deadlineAt: new Date(now.getTime() + 1_800_000).toISOString(),
    uploadKeys: [],
    ...overrides,
    spec: { prompt: 'a lighthouse in a storm at night', ...(overrides.spec ?? {}) },
  });
}
