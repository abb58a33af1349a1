import { ulid } from 'ulid';
import { z } from 'zod';
import {
  intermediateKeySchema,
  jobIdSchema,
  metaSchema,
  newMeta,
  outputFormatSchema,
  predictionSpendSchema,
  sceneKindSchema,
  sha256Schema,
} from '../common';
import { defineEvent, EVENT_VERSION, SOURCES } from '../define-event';
import { sceneCountSchema, sceneIndexSchema } from '../limits';

export const SCENE_READY = 'SceneReady' as const;

export const sceneReadySchema = z
  .strictObject({
    version: z.literal(EVENT_VERSION),
    jobId: jobIdSchema,
    meta: metaSchema,
    sceneIndex: sceneIndexSchema,
    sceneCount: sceneCountSchema,
    kind: sceneKindSchema,
    output: outputFormatSchema,
    key: intermediateKeySchema,
    durationSec: z.number().positive().max(600),
    width: z.number().int().min(0).max(16384),
    height: z.number().int().min(0).max(16384),
    bytes: z.number().int().positive(),
    sha256: sha256Schema,
    provider: z.enum(['replicate', 'local', 'upload']),
    predictionId: z.string().min(1).max(128).optional(),
    attempt: z.number().int().min(1).max(10).default(1),
    /** Cost of every prediction of this scene, failed attempts included. */
    costUsd: z.number().min(0),
    /** Every prediction spent on this scene, so each is charged once by its id. */
    predictions: z.array(predictionSpendSchema).max(10).default([]),
    /** Caption text shown while this scene plays (visual scenes). */
    caption: z.string().max(500).optional(),
    /** Narration: the visual scene whose start it is spoken at. */
    alignTo: sceneIndexSchema.optional(),
  })
  .refine((s) => s.sceneIndex < s.sceneCount, {
    message: 'sceneIndex must be below sceneCount',
    path: ['sceneIndex'],
  });
export type SceneReady = z.infer<typeof sceneReadySchema>;

export const sceneReady = defineEvent(SCENE_READY, sceneReadySchema, [SOURCES.generator]);

export function makeSceneReady(overrides: Partial<SceneReady> = {}): SceneReady {
  const jobId = overrides.jobId ?? ulid();
  const sceneIndex = overrides.sceneIndex ?? 0;
  return sceneReadySchema.parse({
    version: EVENT_VERSION,
    jobId,
    meta: newMeta('user-test'),
    sceneIndex,
    sceneCount: 1,
    kind: 'video',
    output: { width: 1280, height: 720, fps: 30, transition: 'crossfade', transitionSec: 0.5 },
    key: `intermediates/${jobId}/scenes/${String(sceneIndex).padStart(2, '0')}.mp4`,
    durationSec: 4,
    width: 1280,
    height: 720,
    bytes: 1024,
    sha256: '0'.repeat(64),
    provider: 'local',
    predictionId: 'p-test',
    attempt: 1,
    costUsd: 0,
    ...overrides,
  });
}
