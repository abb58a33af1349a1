import { type PredictionSpend, ReelayError, type ScenePlanned } from '@reelay/events';
import type Replicate from 'replicate';
import { predictionCost } from '../models/model-prices';
import { predictionTarget } from '../models/model-target';

/**
 * A job's style references (spec.styleReferences, resolved by the api to S3 keys) become one
 * description of their look (lighting, colour grade, mood), written once per job by a vision model
 * (llava-13b by default: one prediction per picture, which is how it takes images) while the job is
 * planned. The description ends every generated scene's prompt, so all scenes share a look. The plan
 * is kept on its first planning (plan-store.ts): a redelivered JobRequested republishes it and never
 * asks the model again.
 */
export class StyleReferenceError extends ReelayError {
  readonly code = 'STYLE_REFERENCE_FAILED';
  readonly retryable = false;
}

export const STYLE_PROMPT =
  'Describe the visual style of this picture in one sentence for a cinematographer: its lighting, ' +
  'its colour grade and its mood. Do not describe what it shows.';

/** Longest style description kept: scene prompts stay well within ScenePlanned's 4000 characters. */
export const MAX_STYLE_CHARS = 1000;

export interface StyleDescriberDeps {
  replicate: Pick<Replicate, 'predictions'>;
  /** The vision model (catalog.vision). */
  model: string;
  /** A URL the model can fetch a reference from (first-frame-url.ts: files API locally, presigned in AWS). */
  referenceUrl(key: string): Promise<string>;
  timeoutMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface PredictionLike {
  id: string;
  status: string;
  output?: unknown;
  error?: unknown;
  metrics?: { predict_time?: number; input_token_count?: number; output_token_count?: number };
}

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'aborted']);

async function describeOne(
  key: string,
  deps: StyleDescriberDeps,
  spent: (spend: PredictionSpend) => void,
): Promise<string> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const now = deps.now ?? Date.now;
  const deadline = now() + (deps.timeoutMs ?? 30_000);
  const input = {
    image: await deps.referenceUrl(key),
    prompt: STYLE_PROMPT,
    max_tokens: 200,
    temperature: 0.2,
  };
  let prediction = (await deps.replicate.predictions.create({
    ...predictionTarget(deps.model),
    input,
  } as never)) as PredictionLike;
  while (!TERMINAL.has(prediction.status)) {
    if (now() >= deadline) {
      const canceled = (await deps.replicate.predictions
        .cancel(prediction.id)
        .catch(() => prediction)) as PredictionLike;
      spent({
        predictionId: prediction.id,
        attempt: 1,
        status: 'canceled',
        costUsd: predictionCost(deps.model, canceled, input),
      });
      throw new StyleReferenceError(
        `the vision model did not describe ${key} within ${deps.timeoutMs ?? 30_000} ms`,
      );
    }
    await sleep(deps.pollMs ?? 300);
    prediction = (await deps.replicate.predictions.get(prediction.id)) as PredictionLike;
  }
  const status =
    prediction.status === 'succeeded' ? 'succeeded' : prediction.status === 'failed' ? 'failed' : 'canceled';
  spent({
    predictionId: prediction.id,
    attempt: 1,
    status,
    costUsd: predictionCost(deps.model, prediction, input),
  });
  if (prediction.status !== 'succeeded')
    throw new StyleReferenceError(
      `the vision model ${prediction.status} on ${key}: ${String(prediction.error ?? '')}`,
    );
  const output = prediction.output;
  const text = (
    Array.isArray(output) ? output.map(String).join('') : typeof output === 'string' ? output : ''
  )
    .replace(/\s+/g, ' ')
    .trim();
  if (!text) throw new StyleReferenceError(`the vision model said nothing about ${key}`);
  return text.replace(/[.\s]+$/, '');
}

/** One description of the references' shared look: each picture described, in the spec's order. */
export async function describeStyle(
  keys: readonly string[],
  deps: StyleDescriberDeps,
  spent: (spend: PredictionSpend) => void = () => undefined,
): Promise<string> {
  const descriptions = await Promise.all(keys.map((key) => describeOne(key, deps, spent)));
  const joined = descriptions.join('; ');
  return joined.length <= MAX_STYLE_CHARS ? joined : `${joined.slice(0, MAX_STYLE_CHARS - 1)}…`;
}

/** The style ends the prompt of every scene a model generates (uploads are shown as they are). */
export function withStyle(scenes: readonly ScenePlanned[], style: string): ScenePlanned[] {
  return scenes.map((scene) =>
    (scene.kind === 'video' || scene.kind === 'image') && !scene.uploadKey
      ? { ...scene, prompt: `${scene.prompt}. Style: ${style}` }
      : scene,
  );
}
