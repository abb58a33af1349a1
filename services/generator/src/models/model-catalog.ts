import type { SceneKind } from '@reelay/events';
import { z } from 'zod';

/**
 * Which model renders each kind of work. `local` is the Replicate-compatible model server of the
 * embedded cloud; `replicate` the hosted models. Every id can be overridden by configuration
 * (MODEL_<ROLE>) and, per job, by spec.models (scene kinds only).
 */
export type ModelSet = 'replicate' | 'local';

/** What a model is used for. `videoFromImage` renders chained scenes from the previous last frame. */
export const MODEL_ROLES = ['video', 'videoFromImage', 'image', 'speech', 'music', 'planner'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];
export type ModelCatalog = Record<ModelRole, string>;

/** Scenes that are not predictions (user uploads copied into the job) carry this as their model. */
export const UPLOAD_MODEL = 'reelay/upload';

/** Defaults checked against Replicate's model pages (2026-11). */
export const DEFAULT_MODELS: Record<ModelSet, ModelCatalog> = {
  replicate: {
    video: 'wan-video/wan-2.2-t2v-fast',
    videoFromImage: 'wan-video/wan-2.2-i2v-fast',
    image: 'black-forest-labs/flux-schnell',
    speech: 'jaaari/kokoro-82m',
    music: 'meta/musicgen',
    planner: 'meta/meta-llama-3-8b-instruct',
  },
  local: {
    video: 'reelay-local/text-to-video',
    // The local video model takes a first frame itself.
    videoFromImage: 'reelay-local/text-to-video',
    image: 'reelay-local/text-to-image',
    speech: 'reelay-local/text-to-speech',
    music: 'reelay-local/music',
    planner: 'reelay-local/planner',
  },
};

const modelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]*\/[a-z0-9][a-z0-9_.-]*(:[0-9a-f]{8,64})?$/i, 'must be owner/name');

const ENV_NAMES: Record<ModelRole, string> = {
  video: 'MODEL_VIDEO',
  videoFromImage: 'MODEL_VIDEO_FROM_IMAGE',
  image: 'MODEL_IMAGE',
  speech: 'MODEL_SPEECH',
  music: 'MODEL_MUSIC',
  planner: 'MODEL_PLANNER',
};

/** The catalog for a model set with MODEL_<ROLE> overrides applied; a malformed id fails at start. */
export function modelCatalog(
  set: ModelSet,
  env: Record<string, string | undefined> = process.env,
): ModelCatalog {
  const catalog = { ...DEFAULT_MODELS[set] };
  for (const role of MODEL_ROLES) {
    const name = ENV_NAMES[role];
    const value = env[name]?.trim();
    if (!value) continue;
    const parsed = modelId.safeParse(value);
    if (!parsed.success)
      throw new Error(`${name}: "${value}" ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
    catalog[role] = parsed.data;
  }
  return catalog;
}

/** The role whose model renders a scene kind (upload scenes have none). */
const ROLE_BY_KIND: Record<Exclude<SceneKind, 'upload'>, ModelRole> = {
  video: 'video',
  image: 'image',
  narration: 'speech',
  music: 'music',
};

/**
 * The model of one scene: the job's own choice for the kind (spec.models), else the catalog's.
 * A chained video scene uses the image-to-video model unless the job chose a video model itself.
 */
export function modelForScene(
  kind: SceneKind,
  catalog: ModelCatalog,
  jobModels: Partial<Record<SceneKind, string>> = {},
  opts: { chained?: boolean } = {},
): string {
  if (kind === 'upload') return UPLOAD_MODEL;
  const chosen = jobModels[kind];
  if (chosen) return chosen;
  return kind === 'video' && opts.chained ? catalog.videoFromImage : catalog[ROLE_BY_KIND[kind]];
}

/** Kept for callers of the skeleton's API. */
export function modelFor(kind: SceneKind, set: ModelSet, override?: string): string {
  return override ?? modelForScene(kind, DEFAULT_MODELS[set]);
}

export { predictionInput } from './model-inputs';
export { predictionCost } from './model-prices';
