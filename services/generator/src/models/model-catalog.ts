import type { JobSpec, SceneKind } from '@reelay/events';
import {
  chooseNarrationModel,
  DEFAULT_MODEL_IDS,
  DEFAULT_SPEECH_MODEL_IDS,
  findModelContract,
} from '@reelay/replicate-models';
import { z } from 'zod';
import { NarrationLanguageUnsupportedError } from '../errors';

/**
 * Which model renders each kind of work. There is one set of defaults, the real Replicate ids
 * (@reelay/replicate-models): locally the model server (the twin) serves the same ids, so a local
 * job sends exactly what a job on Replicate would. Every id can be overridden by configuration
 * (MODEL_<ROLE>) and, per job, by spec.models (scene kinds only).
 */

/** What a model is used for. `videoFromImage` renders chained scenes from the previous last frame. */
export const MODEL_ROLES = [
  'video',
  'videoFromImage',
  'image',
  'speech',
  'music',
  'planner',
  'vision',
] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];
export type ModelCatalog = Record<ModelRole, string>;

/** Scenes that are not predictions (user uploads copied into the job) carry this as their model. */
export const UPLOAD_MODEL = 'reelay/upload';

/** The defaults, from the recorded contracts (checked against Replicate's model pages). */
export const DEFAULT_MODELS: ModelCatalog = { ...DEFAULT_MODEL_IDS };

/** owner/name, optionally pinned to a 64-hex version (owner/name:version). */
export const modelIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]*\/[a-z0-9][a-z0-9_.-]*(:[0-9a-f]{64})?$/i, 'must be owner/name[:version]');

const ENV_NAMES: Record<ModelRole, string> = {
  video: 'MODEL_VIDEO',
  videoFromImage: 'MODEL_VIDEO_FROM_IMAGE',
  image: 'MODEL_IMAGE',
  speech: 'MODEL_SPEECH',
  music: 'MODEL_MUSIC',
  planner: 'MODEL_PLANNER',
  vision: 'MODEL_VISION',
};

/** The catalog with MODEL_<ROLE> overrides applied; a malformed id fails at start. */
export function modelCatalog(env: Record<string, string | undefined> = process.env): ModelCatalog {
  const catalog = { ...DEFAULT_MODELS };
  for (const role of MODEL_ROLES) {
    const name = ENV_NAMES[role];
    const value = env[name]?.trim();
    if (!value) continue;
    const parsed = modelIdSchema.safeParse(value);
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
 * Whether a model can start from an image (a chained scene's first frame): a recorded model only
 * when its schema has `image` or `start_image`; a model we know nothing of is trusted to.
 */
export function takesFirstFrame(modelRef: string): boolean {
  const contract = findModelContract(modelRef.split(':')[0] ?? modelRef);
  if (!contract) return true;
  const fields = (contract.schemas.Input as { properties?: Record<string, unknown> }).properties ?? {};
  return 'image' in fields || 'start_image' in fields;
}

/**
 * The model of one scene: the job's own choice for the kind (spec.models), else the catalog's.
 * A chained video scene uses the image-to-video model unless the job chose a video model that
 * takes a first frame itself (a text-only model would lose the frame the chain is made of).
 */
export function modelForScene(
  kind: SceneKind,
  catalog: ModelCatalog,
  jobModels: Partial<Record<SceneKind, string>> = {},
  opts: { chained?: boolean } = {},
): string {
  if (kind === 'upload') return UPLOAD_MODEL;
  const chosen = jobModels[kind];
  if (kind === 'video' && opts.chained)
    return chosen && takesFirstFrame(chosen) ? chosen : catalog.videoFromImage;
  return chosen ?? catalog[ROLE_BY_KIND[kind]];
}

/**
 * The narration model and voice for a job's language: the job's own narration model, else the
 * configured speech model (MODEL_SPEECH) when it speaks the language, else the next default that
 * does (kokoro-82m, then MiniMax speech-02-hd). The api refuses the same jobs with a 400 first;
 * here a refusal is a NarrationLanguageUnsupportedError (the configuration differs from the api's).
 */
export function narrationModelFor(
  spec: Pick<JobSpec, 'language' | 'voice' | 'models'>,
  catalog: ModelCatalog,
): { model: string; voice?: string } {
  const choice = chooseNarrationModel({
    language: spec.language,
    ...(spec.voice !== undefined ? { voice: spec.voice } : {}),
    ...(spec.models.narration ? { chosen: spec.models.narration } : {}),
    configured: [catalog.speech, ...DEFAULT_SPEECH_MODEL_IDS],
  });
  if (!choice.ok) throw new NarrationLanguageUnsupportedError(`${choice.field}: ${choice.message}`);
  return { model: choice.model, ...(choice.voice ? { voice: choice.voice } : {}) };
}

export { predictionInput } from './model-inputs';
export { predictionCost } from './model-prices';
