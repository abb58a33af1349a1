import { ulid } from 'ulid';
import { z } from 'zod';
import {
  jobIdSchema,
  metaSchema,
  newMeta,
  outputFormatSchema,
  predictionSpendSchema,
  sceneKindSchema,
  uploadKeySchema,
} from '../common';
import { defineEvent, EVENT_VERSION, SOURCES } from '../define-event';
import { sceneCountSchema, sceneIndexSchema } from '../limits';

export const SCENE_PLANNED = 'ScenePlanned' as const;

export const scenePlannedSchema = z
  .strictObject({
    version: z.literal(EVENT_VERSION),
    jobId: jobIdSchema,
    meta: metaSchema,
    sceneIndex: sceneIndexSchema,
    sceneCount: sceneCountSchema,
    kind: sceneKindSchema,
    prompt: z.string().max(4000),
    durationSec: z.number().positive().max(600),
    model: z.string().min(1).max(200),
    seed: z.number().int().min(0).max(2_147_483_647),
    caption: z.string().max(500).optional(),
    narration: z.string().max(2000).optional(),
    uploadKey: uploadKeySchema.optional(),
    /** Narration: the visual scene whose start it is spoken at. */
    alignTo: sceneIndexSchema.optional(),
    /** Narration: the voice to speak with (model-specific name). */
    voice: z.string().min(1).max(64).optional(),
    /** Narration: the BCP-47 language it is spoken in (the job's `language`). */
    language: z.string().min(2).max(35).optional(),
    /** The scene whose last frame starts this one (chained continuity). */
    chainedFrom: sceneIndexSchema.optional(),
    output: outputFormatSchema,
    /** Render attempt, part of the RenderScene execution name. */
    attempt: z.number().int().min(1).max(10).default(1),
    planner: z.enum(['model', 'deterministic']),
    /**
     * Scene 0 only: what planning spent (the planning model, and the vision model once per style
     * reference: up to 1 + 4), charged once by the ledger.
     */
    planning: z.array(predictionSpendSchema).max(8).optional(),
  })
  .refine((s) => s.sceneIndex < s.sceneCount, {
    message: 'sceneIndex must be below sceneCount',
    path: ['sceneIndex'],
  });
export type ScenePlanned = z.infer<typeof scenePlannedSchema>;

export const scenePlanned = defineEvent(SCENE_PLANNED, scenePlannedSchema, [SOURCES.generator]);

export function makeScenePlanned(overrides: Partial<ScenePlanned> = {}): ScenePlanned {
  return scenePlannedSchema.parse({
    version: EVENT_VERSION,
    jobId: ulid(),
    meta: newMeta('user-test'),
    sceneIndex: 0,
    sceneCount: 1,
    kind: 'video',
    prompt: 'a lighthouse in a storm at night',
    durationSec: 4,
    model: 'reelay-local/text-to-video',
    seed: 42,
    output: { width: 1280, height: 720, fps: 30, transition: 'crossfade', transitionSec: 0.5 },
    attempt: 1,
    planner: 'deterministic',
    ...overrides,
  });
}
