import { ulid } from 'ulid';
import { z } from 'zod';
import { jobIdSchema, metaSchema, newMeta } from '../common';
import { defineEvent, EVENT_VERSION, SOURCES } from '../define-event';
import { destinationSchema, seriesRefSchema } from '../publishing';

export const VIDEO_PUBLISHED = 'VideoPublished' as const;

/** A job's final video arrived at one of its destinations (once per job and destination). */
export const videoPublishedSchema = z.strictObject({
  version: z.literal(EVENT_VERSION),
  jobId: jobIdSchema,
  userId: z.string().min(1).max(128),
  meta: metaSchema,
  destination: destinationSchema,
  /** Where it can be seen: the YouTube watch URL, or the s3:// URI of the copy. */
  url: z.string().min(1).max(2048),
  /** YouTube's video id. */
  videoId: z.string().min(1).max(64).optional(),
  series: seriesRefSchema.optional(),
});
export type VideoPublished = z.infer<typeof videoPublishedSchema>;

export const videoPublished = defineEvent(VIDEO_PUBLISHED, videoPublishedSchema, [SOURCES.api]);

export function makeVideoPublished(overrides: Partial<VideoPublished> = {}): VideoPublished {
  return videoPublishedSchema.parse({
    version: EVENT_VERSION,
    jobId: ulid(),
    userId: 'user-test',
    meta: newMeta('user-test'),
    destination: { type: 'youtube', connection: 'main', privacyStatus: 'private' },
    url: 'https://www.youtube.com/watch?v=abcdefghijk',
    videoId: 'abcdefghijk',
    ...overrides,
  });
}
