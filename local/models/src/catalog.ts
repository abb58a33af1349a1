import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CONTRACT_MODELS } from './contract-models';
import { type InvalidField, invalidFields } from './input-validation';
import { renderImage } from './render/image';
import { renderMusic } from './render/music';
import { renderPlan } from './render/planner';
import type { RenderContext, RenderedOutput } from './render/render-context';
import { FLITE_VOICES, renderSpeech } from './render/speech';
import { renderVideo } from './render/video';

/**
 * The stand-in model ids this server ran before it served the real ones (contract-models.ts);
 * kept while the generator still uses them, to be removed once it does not.
 */
export const LOCAL_MODELS = {
  video: 'reelay-local/text-to-video',
  image: 'reelay-local/text-to-image',
  speech: 'reelay-local/text-to-speech',
  music: 'reelay-local/music',
  planner: 'reelay-local/planner',
} as const;

/** A validated input, ready to run. */
export interface PreparedRun {
  /** The input with defaults filled in, as the prediction object shows it. */
  input: Record<string, unknown>;
  /** The text faults match on (prompt, or text for speech). */
  text: string;
  render(ctx: RenderContext): Promise<RenderedOutput>;
  /** Metrics Replicate adds for this model (language models: input/output token counts). */
  metrics?(output: RenderedOutput): Record<string, number>;
}

/**
 * Where a model's renders queue on the local server (render-slots.ts), lower `priority` first
 * within a lane. `heavy` renders (pictures, music) share the render slots, pictures (the longest
 * renders, and what the composer's transitions wait for) before music. `light` renders (the
 * planner, no ffmpeg at all; flite speech, a fraction of a second of one core) have a lane of
 * their own: the plan that gates the whole job never waits behind a picture, narration is ready
 * early, and the pictures barely notice it.
 */
export interface RenderScheduling {
  lane: 'heavy' | 'light';
  priority: number;
}

export interface LocalModel {
  owner: string;
  name: string;
  /** owner/name */
  id: string;
  /** A stable 64-hex version id, like Replicate's. */
  version: string;
  /** Official models run by name; community ones only by version (POST /v1/predictions). */
  official: boolean;
  /**
   * URL inputs are fetched as Replicate fetches them (the twin's files API and delivery URLs,
   * data URIs; loopback/private hosts refused). The reelay-local stand-ins fetch any URL.
   */
  fetchesInputsLikeReplicate: boolean;
  description: string;
  openApiSchema: Record<string, unknown>;
  scheduling: RenderScheduling;
  prepare(
    input: Record<string, unknown>,
  ): { ok: true; run: PreparedRun } | { ok: false; invalid: InvalidField[] };
}

const seedField = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);
const randomSeed = (): number => Math.floor(Math.random() * 2 ** 31);

function defineModel<S extends z.ZodType<Record<string, unknown>>>(
  id: string,
  description: string,
  scheduling: RenderScheduling,
  schema: S,
  plan: (input: z.output<S>) => PreparedRun,
): LocalModel {
  const [owner = '', name = ''] = id.split('/');
  const version = createHash('sha256').update(`${id}@1`).digest('hex');
  const openApiSchema = {
    openapi: '3.0.2',
    components: {
      schemas: {
        Input: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
        Output: { type: 'string', format: 'uri' },
      },
    },
  };
  return {
    owner,
    name,
    id,
    version,
    official: true,
    fetchesInputsLikeReplicate: false,
    description,
    openApiSchema,
    scheduling,
    prepare(input) {
      const parsed = schema.safeParse(input);
      if (!parsed.success) return { ok: false, invalid: invalidFields(parsed.error, input) };
      return { ok: true, run: plan(parsed.data) };
    },
  };
}

const evenSide = (max: number) => z.number().int().min(64).max(max).multipleOf(2);

const videoModel = defineModel(
  LOCAL_MODELS.video,
  'Procedural text-to-video: a seeded ffmpeg look with the prompt drawn over it (H.264, no audio).',
  { lane: 'heavy', priority: 1 },
  z.object({
    prompt: z.string().min(1).max(2000),
    duration_sec: z.number().min(1).max(10).default(4),
    width: evenSide(1920).default(1280),
    height: evenSide(1920).default(720),
    fps: z.number().int().min(1).max(60).default(30),
    seed: seedField.optional(),
    first_frame_url: z.string().url().optional(),
  }),
  (input) => {
    const seed = input.seed ?? randomSeed();
    return {
      input: { ...input, seed },
      text: input.prompt,
      render: (ctx) =>
        renderVideo(
          {
            prompt: input.prompt,
            durationSec: input.duration_sec,
            width: input.width,
            height: input.height,
            fps: input.fps,
            seed,
            ...(input.first_frame_url ? { firstFrameUrl: input.first_frame_url } : {}),
          },
          ctx,
        ),
    };
  },
);

const imageModel = defineModel(
  LOCAL_MODELS.image,
  'Procedural text-to-image: a seeded still with the prompt drawn on it (PNG).',
  { lane: 'heavy', priority: 1 },
  z.object({
    prompt: z.string().min(1).max(2000),
    width: z.number().int().min(64).max(2048).default(1024),
    height: z.number().int().min(64).max(2048).default(1024),
    seed: seedField.optional(),
  }),
  (input) => {
    const seed = input.seed ?? randomSeed();
    return {
      input: { ...input, seed },
      text: input.prompt,
      render: (ctx) =>
        renderImage({ prompt: input.prompt, width: input.width, height: input.height, seed }, ctx),
    };
  },
);

const speechModel = defineModel(
  LOCAL_MODELS.speech,
  'Text-to-speech with flite (WAV, 48 kHz mono).',
  { lane: 'light', priority: 1 },
  z.object({
    text: z.string().min(1).max(5000),
    voice: z.enum(FLITE_VOICES).default('slt'),
  }),
  (input) => ({
    input,
    text: input.text,
    render: (ctx) => renderSpeech({ text: input.text, voice: input.voice }, ctx),
  }),
);

const musicModel = defineModel(
  LOCAL_MODELS.music,
  'A synthesized music bed: a seeded four-chord progression with pad, bass and arpeggio (WAV, 44.1 kHz stereo).',
  { lane: 'heavy', priority: 2 },
  z.object({
    prompt: z.string().min(1).max(2000),
    duration_sec: z.number().min(1).max(300).default(30),
    seed: seedField.optional(),
  }),
  (input) => {
    const seed = input.seed ?? randomSeed();
    return {
      input: { ...input, seed },
      text: input.prompt,
      render: (ctx) => renderMusic({ prompt: input.prompt, durationSec: input.duration_sec, seed }, ctx),
    };
  },
);

const plannerModel = defineModel(
  LOCAL_MODELS.planner,
  'A deterministic stand-in for an instruct LLM that plans videos: answers the JSON brief after "BRIEF:" with a JSON plan (text tokens).',
  { lane: 'light', priority: 0 },
  z.object({
    prompt: z.string().min(1).max(20_000),
    system_prompt: z.string().max(5000).optional(),
    max_tokens: z.number().int().min(1).max(8192).optional(),
    temperature: z.number().min(0).max(2).optional(),
  }),
  (input) => ({
    input,
    // Faults match on a scene's prompt; the planner's quotes the job's, so it matches on its model only.
    text: '',
    render: async () => renderPlan(input.prompt),
  }),
);

export const MODELS: readonly LocalModel[] = [
  ...CONTRACT_MODELS,
  videoModel,
  imageModel,
  speechModel,
  musicModel,
  plannerModel,
];

/** Accepts what Replicate accepts as a model reference: "owner/name", "owner/name:version" or a bare version id. */
export function findModel(reference: string): LocalModel | undefined {
  const [id, version] = reference.includes(':') ? reference.split(':', 2) : [reference, undefined];
  if (id !== undefined && /^[0-9a-f]{64}$/.test(id) && version === undefined)
    return MODELS.find((m) => m.version === id);
  const model = MODELS.find((m) => m.id === id);
  if (!model || (version !== undefined && version !== model.version)) return undefined;
  return model;
}
