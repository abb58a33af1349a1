import { z } from 'zod';
import { SCENE_KINDS, TRANSITIONS, ulidSchema } from './common';
import { JOB_LIMITS, maxUploadsFor } from './limits';
import { publishListSchema } from './publishing';

export const RECIPES = ['prompt', 'ad', 'story', 'merge', 'soundtrack'] as const;
export const RESOLUTIONS = ['480p', '720p', '1080p'] as const;
export const ASPECTS = ['16:9', '9:16', '1:1'] as const;

/** Replicate model ids: owner/name or owner/name:version. */
const modelIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]*\/[a-z0-9][a-z0-9_.-]*(:[0-9a-f]{8,64})?$/i, 'must be owner/name');

/**
 * The language of narration and captions: a BCP-47 tag, parsed and canonicalised by the runtime's
 * own BCP-47 parser (Intl.getCanonicalLocales: `EN-us` -> `en-US`), so a malformed tag is refused
 * here instead of reaching a speech model. Which languages can be spoken is the api's and the
 * generator's question (the speech models' recorded voices), not the schema's.
 */
export const languageTagSchema = z
  .string()
  .trim()
  .min(2)
  .max(35)
  .transform((tag, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical) return canonical;
    } catch {
      // RangeError: not a well-formed tag; reported below.
    }
    ctx.addIssue({
      code: 'custom',
      message: `"${tag}" is not a BCP-47 language tag (such as en, vi, pt-BR)`,
    });
    return z.NEVER;
  });

/**
 * The job spec as users send it (the body of POST /jobs) with defaults applied.
 * Unknown fields are refused, not ignored: a typo must not silently change a job.
 */
export const jobSpecSchema = z
  .strictObject({
    recipe: z.enum(RECIPES).default('prompt'),
    prompt: z.string().trim().min(1).max(2000).optional(),
    /** Pictures or clips, in order; how many depends on the recipe (JOB_LIMITS, checked below). */
    uploads: z
      .array(ulidSchema)
      .max(JOB_LIMITS.storyPages, `a job takes at most ${JOB_LIMITS.storyPages} uploads (a story's pages)`)
      .default([]),
    /**
     * Story: the narration text of each upload, in the uploads' order (one entry per upload; an
     * empty entry is written by the planner). Each page stays on screen as long as its narration.
     */
    script: z
      .array(
        z
          .string()
          .trim()
          .max(
            JOB_LIMITS.scriptLineChars,
            `a script line has at most ${JOB_LIMITS.scriptLineChars} characters`,
          ),
      )
      .max(JOB_LIMITS.storyPages, `a script has at most ${JOB_LIMITS.storyPages} lines`)
      .optional(),
    /** Story: seconds of silence after each page's narration before the next page. */
    narrationPauseSec: z.number().min(0).max(JOB_LIMITS.narrationPauseSec).default(0.5),
    scenes: z.number().int().min(1).max(JOB_LIMITS.generatedScenes).default(5),
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
    /** Language of narration and captions (BCP-47); the narration model is chosen by it. */
    language: languageTagSchema.default('en'),
    /**
     * Upload ids of 1..4 images whose look (lighting, colour grade, mood) every scene shares: a
     * vision model describes them once per job and the description ends every scene prompt.
     */
    styleReferences: z.array(ulidSchema).min(1).max(4).optional(),
    seed: z.number().int().min(0).max(2_147_483_647).optional(),
    models: z.partialRecord(z.enum(SCENE_KINDS), modelIdSchema).default({}),
    deadlineSec: z
      .number()
      .int()
      .min(60)
      .max(6 * 3600)
      .default(1800),
    /**
     * Where the finished video is published (issue 20): YouTube through one of the user's stored
     * connections, or the user's S3 bucket. Submit refuses a connection the user does not have (400).
     */
    publish: publishListSchema.optional(),
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
    const maxUploads = maxUploadsFor(spec.recipe);
    if (spec.uploads.length > maxUploads) {
      ctx.addIssue({
        code: 'custom',
        path: ['uploads'],
        message: `the ${spec.recipe} recipe takes at most ${maxUploads} uploads (got ${spec.uploads.length})`,
      });
    }
    if (spec.script) checkScript(spec.script, spec, ctx);
    if (spec.recipe === 'soundtrack' && spec.uploads.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['uploads'],
        message: 'the soundtrack recipe scores exactly one video',
      });
    }
  });

/** A story's script: one line per upload, and within the job's total (JOB_LIMITS). */
function checkScript(
  script: readonly string[],
  spec: { recipe: string; uploads: readonly string[] },
  ctx: z.RefinementCtx,
): void {
  const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['script'], message });
  if (spec.recipe !== 'story') {
    issue(`only the story recipe takes a script (this job is ${spec.recipe})`);
    return;
  }
  if (script.length !== spec.uploads.length) {
    issue(
      `the script has ${script.length} lines for ${spec.uploads.length} uploads: give one line per upload`,
    );
  }
  const chars = script.reduce((n, line) => n + line.length, 0);
  if (chars > JOB_LIMITS.scriptTotalChars) {
    issue(
      `the script is ${chars} characters; the limit is ${JOB_LIMITS.scriptTotalChars} (about an hour of speech)`,
    );
  }
  // TextEncoder, not Buffer: the console checks specs with this schema in the browser.
  const utf8 = new TextEncoder();
  const bytes = script.reduce((n, line) => n + utf8.encode(line).length, 0);
  if (bytes > JOB_LIMITS.scriptTotalBytes) {
    issue(`the script is ${bytes} bytes of UTF-8; the limit is ${JOB_LIMITS.scriptTotalBytes}`);
  }
}

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
