import {
  causedMeta,
  type EventPublisher,
  type JobRequested,
  jobFailed,
  outgoing,
  type PredictionSpend,
  type ScenePlanned,
  scenePlanned,
} from '@reelay/events';
import { NarrationLanguageUnsupportedError } from '../errors';
import type { ModelCatalog } from '../models/model-catalog';
import { UploadRejectedError } from '../uploads/upload-media';
import { type CreativeText, deterministicWords } from './creative-text';
import { assemblePlan, outputFormatOf, type PlannerUsed } from './deterministic-planner';
import type { PlanBrief } from './model-planner';
import type { PlanStore } from './plan-store';
import { outlineFor, type SceneOutline, type UploadFacts } from './scene-outline';
import { scriptCoversEveryPage, withScript } from './story-script';
import { StyleReferenceError, withStyle } from './style-references';
import { mapAtMost, UPLOAD_READS_AT_ONCE } from './upload-facts';

export interface PlanJobDeps {
  catalog: ModelCatalog;
  /** Reads what the planner needs to know of an upload; throws UploadRejectedError for bad media. */
  uploadFacts(key: string): Promise<UploadFacts>;
  /** The planning model, when planning with one; absent means deterministic planning. */
  modelWords?: (
    brief: PlanBrief,
    outline: SceneOutline,
    fallback: CreativeText,
    spent: (spend: PredictionSpend) => void,
  ) => Promise<CreativeText>;
  /**
   * Describes the job's style references once (style-references.ts); absent when no vision model
   * can be asked (no Replicate token), and a job with references then fails with a named error.
   */
  describeStyle?: (keys: readonly string[], spent: (spend: PredictionSpend) => void) => Promise<string>;
  plans: PlanStore;
  publisher: Pick<EventPublisher, 'publishAll' | 'publish'>;
  onModelFallback?: (error: unknown, job: JobRequested) => void;
  now?: () => Date;
}

export type PlanJobResult =
  | { outcome: 'planned'; scenes: ScenePlanned[]; planner: PlannerUsed }
  | { outcome: 'rejected'; reason: string };

/**
 * JobRequested -> ScenePlanned for every scene of the recipe. The structure comes from the recipe,
 * the words from the planning model when it answers with a valid plan, else from the deterministic
 * planner; the plan records which one wrote it. The first plan of a job is kept and republished
 * as it was on redelivery. A job whose uploads are not usable fails at once (JobFailed, stage plan).
 */
export async function planJob(job: JobRequested, deps: PlanJobDeps): Promise<PlanJobResult> {
  const now = deps.now?.() ?? new Date();
  const kept = await deps.plans.get(job.jobId);
  if (kept) {
    await deps.publisher.publishAll(kept.map((scene) => outgoing(scenePlanned, scene)));
    return { outcome: 'planned', scenes: kept, planner: kept[0]?.planner ?? 'deterministic' };
  }
  let uploads: UploadFacts[];
  try {
    uploads = await mapAtMost(job.uploadKeys, UPLOAD_READS_AT_ONCE, (key) => deps.uploadFacts(key));
  } catch (error) {
    if (!(error instanceof UploadRejectedError)) throw error;
    return rejectJob(job, error, now, deps);
  }
  const planning: PredictionSpend[] = [];
  let style: string | undefined;
  if (job.styleReferenceKeys?.length) {
    try {
      if (!deps.describeStyle)
        throw new StyleReferenceError('style references need a vision model, and none can be asked here');
      style = await deps.describeStyle(job.styleReferenceKeys, (spend) => planning.push(spend));
    } catch (error) {
      if (!(error instanceof StyleReferenceError)) throw error;
      return rejectJob(job, error, now, deps);
    }
  }
  const outline = outlineFor(job, uploads, outputFormatOf(job.spec));
  const fallback = deterministicWords(job.spec, outline);
  let words = fallback;
  let planner: PlannerUsed = 'deterministic';
  // A story whose script narrates every page leaves the planning model nothing to write.
  if (deps.modelWords && !scriptCoversEveryPage(job.spec)) {
    try {
      words = await deps.modelWords(briefOf(job, outline), outline, fallback, (spend) =>
        planning.push(spend),
      );
      planner = 'model';
    } catch (error) {
      deps.onModelFallback?.(error, job);
    }
  }
  let assembled: ScenePlanned[];
  try {
    assembled = assemblePlan(job, outline, withScript(words, job.spec), deps.catalog, planner, now);
  } catch (error) {
    // No configured model speaks the job's language: permanent, as a bad upload is.
    if (!(error instanceof NarrationLanguageUnsupportedError)) throw error;
    return rejectJob(job, error, now, deps);
  }
  const plan = (style ? withStyle(assembled, style) : assembled).map((scene) =>
    scene.sceneIndex === 0 && planning.length > 0 ? { ...scene, planning } : scene,
  );
  const scenes = await deps.plans.keep(job.jobId, plan);
  await deps.publisher.publishAll(scenes.map((scene) => outgoing(scenePlanned, scene)));
  return { outcome: 'planned', scenes, planner: scenes[0]?.planner ?? planner };
}

/** A job that cannot be planned fails at once: JobFailed at stage plan, with the error's code. */
async function rejectJob(
  job: JobRequested,
  error: UploadRejectedError | NarrationLanguageUnsupportedError | StyleReferenceError,
  now: Date,
  deps: PlanJobDeps,
): Promise<PlanJobResult> {
  await deps.publisher.publish(jobFailed, {
    version: 1,
    jobId: job.jobId,
    meta: causedMeta(job.meta, now),
    stage: 'plan',
    code: error.code,
    reason: error.message.slice(0, 2000),
    retryable: false,
  });
  return { outcome: 'rejected', reason: error.message };
}

function briefOf(job: JobRequested, outline: SceneOutline): PlanBrief {
  return {
    recipe: job.spec.recipe,
    prompt: job.spec.prompt ?? '',
    scenes: outline.visuals.length,
    secondsPerScene: job.spec.secondsPerScene,
    visuals: outline.visuals.map((v) => v.kind),
    narration: outline.narration,
    music: outline.music !== undefined,
    language: job.spec.language,
  };
}
