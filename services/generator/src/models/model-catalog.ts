import type { SceneKind, ScenePlanned } from '@reelay/events';

/**
 * Which model renders each scene kind, and how a scene becomes that model's input.
 * `local` is the Replicate-compatible model server of the embedded cloud.
 */
export type ModelSet = 'replicate' | 'local';

const DEFAULT_MODELS: Record<ModelSet, Partial<Record<SceneKind, string>>> = {
  replicate: { video: 'wan-video/wan-2.2-t2v-fast' },
  local: { video: 'reelay-local/text-to-video' },
};

export function modelFor(kind: SceneKind, set: ModelSet, override?: string): string {
  const model = override ?? DEFAULT_MODELS[set][kind];
  if (!model) throw new Error(`no ${kind} model configured for ${set}`);
  return model;
}

/** Maps a planned scene onto the input its model family expects. */
export function predictionInput(scene: ScenePlanned): Record<string, unknown> {
  if (scene.model.startsWith('reelay-local/')) {
    return {
      prompt: scene.prompt,
      duration_sec: scene.durationSec,
      width: scene.output.width,
      height: scene.output.height,
      fps: scene.output.fps,
      seed: scene.seed,
    };
  }
  // Replicate text-to-video models take a prompt, a duration or frame count, a size and a seed.
  return {
    prompt: scene.prompt,
    num_frames: Math.round(scene.durationSec * 16) + 1,
    resolution: scene.output.height >= 720 ? '720p' : '480p',
    aspect_ratio: scene.output.width >= scene.output.height ? '16:9' : '9:16',
    seed: scene.seed,
  };
}

/** Price per second of prediction time, USD (Replicate bills by hardware time). */
const PRICE_PER_SECOND: Record<string, number> = {
  'wan-video/wan-2.2-t2v-fast': 0.0014,
};

export function predictionCost(model: string, predictTimeSec: number | undefined): number {
  if (model.startsWith('reelay-local/')) return 0;
  return Math.round((PRICE_PER_SECOND[model] ?? 0.001) * (predictTimeSec ?? 0) * 1e6) / 1e6;
}
