import { z } from 'zod';
import { SCENE_KINDS, TRANSITIONS, ulidSchema } from './common';

export const RECIPES = ['prompt', 'ad', 'story', 'merge', 'soundtrack'] as const;
export const RESOLUTIONS = ['480p', '720p', '1080p'] as const;
export const ASPECTS = ['16:9', '9:16', '1:1'] as const;

/** Replicate model ids: owner/name or owner/name:version. */
const modelIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]*\/[a-z0-9][a-z0-9_.-]*(:[0-9a-f]{8,64})?$/i, 'must be owner/name');

/**
 * The job spec as users send it (the body of POST /jobs) with defaults applied.
 * Unknown fields are refused, not ignored: a typo must not silently change a job.
 */
export const jobSpecSchema = z
  .strictObject({
    recipe: z.enum(RECIPES).default('prompt'),
    prompt: z.string().trim().min(1).max(2000).optional(),
    uploads: z.array(ulidSchema).max(12).default([]),
    scenes: z.number().int().min(1).max(12).default(5),
    secondsPerScene: z.number().min(1).max(10).default(4),
    resolution: z.enum(RESOLUTIONS).default('720p'),
    aspect: z.enum(ASPECTS).default('16:9'),
    fps: z.union([z.literal(24), z.literal(25), z.literal(30)]).default(30),
    transition: z.enum(TRANSITIONS).default('crossfade'),
    music: z.boolean().default(true),
    narration: z.boolean().default(true),
    captions: z.boolean().default(true),
    /** Burn captions into the picture (a full re-encode) instead of a soft subtitle track. */
    burnCaptions: z.boolean().default(false),
    voice: z.string().min(1).max(64).optional(),
    seed: z.number().int().min(0).max(2_147_483_647).optional(),
    models: z.partialRecord(z.enum(SCENE_KINDS), modelIdSchema).default({}),
    deadlineSec: z
      .number()
      .int()
      .min(60)
      .max(6 * 3600)
      .default(1800),
  })
  .superRefine((spec, ctx) => {
    const needsPrompt = spec.recipe === 'prompt' || spec.recipe === 'ad' || spec.recipe === 'soundtrack';
    if (needsPrompt && !spec.prompt) {
      ctx.addIssue({ code: 'custom', path: ['prompt'], message: `the ${spec.recipe} recipe needs a prompt` });
    }
    const needsUploads = spec.recipe === 'story' || spec.recipe === 'merge' || spec.recipe === 'soundtrack';
    if (needsUploads && spec.uploads.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['uploads'],
        message: `the ${spec.recipe} recipe needs at least one upload`,
      });
    }
    if (spec.recipe === 'soundtrack' && spec.uploads.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['uploads'],
        message: 'the soundtrack recipe scores exactly one video',
      });
    }
  });

export type JobSpecInput = z.input<typeof jobSpecSchema>;
export type JobSpec = z.output<typeof jobSpecSchema>;

const HEIGHT_BY_RESOLUTION = { '480p': 480, '720p': 720, '1080p': 1080 } as const;

/** Output frame size for a resolution and aspect, rounded to even numbers as H.264 yuv420p needs. */
export function frameSize(
  resolution: JobSpec['resolution'],
  aspect: JobSpec['aspect'],
): { width: number; height: number } {
  const short = HEIGHT_BY_RESOLUTION[resolution];
  const even = (n: number) => Math.round(n / 2) * 2;
  switch (aspect) {
    case '16:9':
      return { width: even((short * 16) / 9), height: short };
    case '9:16':
      return { width: short, height: even((short * 16) / 9) };
    case '1:1':
      return { width: short, height: short };
  }
}
