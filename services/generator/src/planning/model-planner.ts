import type { JobSpec, PredictionSpend } from '@reelay/events';
import type Replicate from 'replicate';
import { z } from 'zod';
import { plannerInput } from '../models/model-inputs';
import { predictionCost } from '../models/model-prices';
import { predictionTarget } from '../models/model-target';
import type { CreativeText, SceneWords } from './creative-text';
import type { SceneOutline } from './scene-outline';

/**
 * The planning LLM writes the words of a plan (what each scene shows, its caption, its narration
 * line, the music) for an outline the recipe already fixed. One prediction through the replicate
 * client, JSON out, parsed with zod; anything else is a PlanModelError and the caller falls back.
 */
export class PlanModelError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'PlanModelError';
  }
}

export interface ModelPlannerDeps {
  replicate: Pick<Replicate, 'predictions'>;
  model: string;
  /** How long planning may wait for the model before the deterministic plan is used. */
  timeoutMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** The brief the model is given, after the instructions: everything it needs and nothing private. */
export interface PlanBrief {
  recipe: JobSpec['recipe'];
  prompt: string;
  scenes: number;
  secondsPerScene: number;
  visuals: Array<'video' | 'image' | 'upload'>;
  narration: boolean;
  music: boolean;
  /** BCP-47: the language of captions and narration. */
  language: string;
}

/** "vi" -> "Vietnamese", for the model's instructions (the tag itself stays in the brief). */
export function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

export const PLAN_SYSTEM_PROMPT =
  'You are the director of short videos. You answer with one JSON object and nothing else.';

export function planPrompt(brief: PlanBrief): string {
  return [
    `Write the shot list for a ${brief.scenes}-scene ${brief.recipe} video of ${brief.secondsPerScene} seconds per scene.`,
    'Answer with JSON only, exactly this shape:',
    '{"scenes":[{"prompt":"what the scene shows, for a text-to-video model","caption":"a short on-screen line","narration":"one sentence spoken over the scene"}],"music":"a description of instrumental background music"}',
    `"scenes" must have exactly ${brief.scenes} entries, in order. Keep captions under 12 words and narration under 25 words.`,
    // Video and music models are prompted in English; what is read and heard is in the job's language.
    `Write every "caption" and "narration" in ${languageName(brief.language)} (${brief.language}); write "prompt" and "music" in English.`,
    `BRIEF: ${JSON.stringify(brief)}`,
  ].join('\n');
}

const wordsSchema = z.strictObject({
  prompt: z.string().trim().min(1).max(1000),
  caption: z.string().trim().max(200).optional(),
  narration: z.string().trim().max(600).optional(),
});
const planSchema = z.object({
  scenes: z.array(wordsSchema).min(1).max(12),
  music: z.string().trim().min(1).max(500).optional(),
});

/** The first {...} object in a model's text: instruct models like to wrap JSON in prose or fences. */
export function extractJson(text: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end <= start) throw new PlanModelError('the planning model answered without JSON');
  try {
    return JSON.parse(text.slice(start, end + 1));
  } catch {
    throw new PlanModelError('the planning model answered with malformed JSON');
  }
}

/** Parses the model's answer against the outline: wrong counts or shapes are invalid, never trimmed. */
export function parseModelPlan(output: unknown, outline: SceneOutline, fallback: CreativeText): CreativeText {
  const text = Array.isArray(output) ? output.map(String).join('') : typeof output === 'string' ? output : '';
  if (!text.trim()) throw new PlanModelError('the planning model returned no text');
  const parsed = planSchema.safeParse(extractJson(text));
  if (!parsed.success) throw new PlanModelError(`the plan is invalid: ${z.prettifyError(parsed.error)}`);
  const { scenes, music } = parsed.data;
  if (scenes.length !== outline.visuals.length) {
    throw new PlanModelError(
      `the plan has ${scenes.length} scenes; the recipe needs ${outline.visuals.length}`,
    );
  }
  return {
    scenes: scenes.map(
      (s, i): SceneWords => ({
        prompt: s.prompt,
        caption: s.caption ?? fallback.scenes[i]?.caption ?? '',
        narration: s.narration ?? fallback.scenes[i]?.narration ?? '',
      }),
    ),
    musicPrompt: music ?? fallback.musicPrompt,
  };
}

interface PredictionLike {
  id: string;
  status: string;
  output?: unknown;
  error?: unknown;
  input?: Record<string, unknown>;
  metrics?: { predict_time?: number; input_token_count?: number; output_token_count?: number };
}

/**
 * Runs the planning model once and returns its words; throws PlanModelError (or the client's error).
 * The prediction is reported to `spent` once it ends, whatever it answered: a plan that is
 * invalid, failed or timed out was still paid for.
 */
export async function wordsFromModel(
  brief: PlanBrief,
  outline: SceneOutline,
  fallback: CreativeText,
  deps: ModelPlannerDeps,
  spent: (spend: PredictionSpend) => void = () => undefined,
): Promise<CreativeText> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const now = deps.now ?? Date.now;
  const deadline = now() + (deps.timeoutMs ?? 40_000);
  const input = plannerInput(deps.model, planPrompt(brief), PLAN_SYSTEM_PROMPT);
  let prediction = (await deps.replicate.predictions.create({
    ...predictionTarget(deps.model),
    input,
  } as never)) as PredictionLike;
  const report = (status: PredictionSpend['status'], ended: PredictionLike) =>
    spent({
      predictionId: ended.id,
      attempt: 1,
      status,
      costUsd: predictionCost(deps.model, ended, input),
    });
  while (prediction.status === 'starting' || prediction.status === 'processing') {
    if (now() >= deadline) {
      const canceled = (await deps.replicate.predictions
        .cancel(prediction.id)
        .catch(() => prediction)) as PredictionLike;
      report('canceled', canceled);
      throw new PlanModelError(`the planning model did not answer within ${deps.timeoutMs ?? 40_000} ms`);
    }
    await sleep(deps.pollMs ?? 500);
    prediction = (await deps.replicate.predictions.get(prediction.id)) as PredictionLike;
  }
  report(
    prediction.status === 'succeeded'
      ? 'succeeded'
      : prediction.status === 'canceled'
        ? 'canceled'
        : 'failed',
    prediction,
  );
  if (prediction.status !== 'succeeded') {
    throw new PlanModelError(`the planning model ${prediction.status}: ${String(prediction.error ?? '')}`);
  }
  return parseModelPlan(prediction.output, outline, fallback);
}
