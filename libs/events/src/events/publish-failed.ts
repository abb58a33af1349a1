import { ulid } from 'ulid';
import { z } from 'zod';
import { jobIdSchema, metaSchema, newMeta } from '../common';
import { defineEvent, EVENT_VERSION, SOURCES } from '../define-event';
import { destinationSchema, seriesRefSchema } from '../publishing';

export const PUBLISH_FAILED = 'PublishFailed' as const;

/**
 * Why a destination was not published to: its quota for the day is spent (a later PublishRequested can
 * try again tomorrow), it refused the video or its metadata, the connection's credentials do not work,
 * or transient failures outlasted the retries.
 */
export const PUBLISH_FAILURE_REASONS = ['quota-exceeded', 'rejected', 'auth', 'retries-exhausted'] as const;

export const publishFailedSchema = z.strictObject({
  version: z.literal(EVENT_VERSION),
  jobId: jobIdSchema,
  userId: z.string().min(1).max(128),
  meta: metaSchema,
  destination: destinationSchema,
  reason: z.enum(PUBLISH_FAILURE_REASONS),
  message: z.string().min(1).max(2000),
  series: seriesRefSchema.optional(),
});
export type PublishFailed = z.infer<typeof publishFailedSchema>;

export const publishFailed = defineEvent(PUBLISH_FAILED, publishFailedSchema, [SOURCES.api]);

export function makePublishFailed(overrides: Partial<PublishFailed> = {}): PublishFailed {
  return publishFailedSchema.parse({
    version: EVENT_VERSION,
    jobId: ulid(),
    userId: 'user-test',
    meta: newMeta('user-test'),
    destination: { type: 'youtube', connection: 'main', privacyStatus: 'private' },
    reason: 'quota-exceeded',
    message: 'The request cannot be completed because you have exceeded your quota.',
    ...overrides,
  });
}
