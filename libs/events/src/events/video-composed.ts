import { ulid } from 'ulid';
import { z } from 'zod';
import { jobIdSchema, jobKeySchema, metaSchema, newMeta, sha256Schema } from '../common';
import { defineEvent, EVENT_VERSION, SOURCES } from '../define-event';
import { sceneCountSchema } from '../limits';

export const VIDEO_COMPOSED = 'VideoComposed' as const;

export const videoComposedSchema = z.strictObject({
  version: z.literal(EVENT_VERSION),
  jobId: jobIdSchema,
  meta: metaSchema,
  key: jobKeySchema,
  thumbnailKey: jobKeySchema,
  captionsKey: jobKeySchema.optional(),
  durationSec: z.number().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().positive(),
  sha256: sha256Schema,
  composeMs: z.number().int().min(0),
  sceneCount: sceneCountSchema,
});
export type VideoComposed = z.infer<typeof videoComposedSchema>;

export const videoComposed = defineEvent(VIDEO_COMPOSED, videoComposedSchema, [SOURCES.composer]);

export function makeVideoComposed(overrides: Partial<VideoComposed> = {}): VideoComposed {
  const jobId = overrides.jobId ?? ulid();
  return videoComposedSchema.parse({
    version: EVENT_VERSION,
    jobId,
    meta: newMeta('user-test'),
    key: `jobs/${jobId}/final.mp4`,
    thumbnailKey: `jobs/${jobId}/thumbnail.jpg`,
    durationSec: 18,
    width: 1280,
    height: 720,
    bytes: 1024,
    sha256: '0'.repeat(64),
    composeMs: 1000,
    sceneCount: 5,
    ...overrides,
  });
}
