import { createHash } from 'node:crypto';
import {
  causedMeta,
  frameSize,
  type JobRequested,
  type OutputFormat,
  type ScenePlanned,
} from '@reelay/events';
import {
  DEFAULT_MODELS,
  type ModelCatalog,
  modelForScene,
  narrationModelFor,
  UPLOAD_MODEL,
} from '../models/model-catalog';
import { type CreativeText, deterministicWords, shortLine } from './creative-text';
import { outlineFor, type SceneOutline, type UploadFacts } from './scene-outline';

export const TRANSITION_SEC = 0.5;

export function outputFormatOf(spec: JobRequested['spec']): OutputFormat {
  return {
    ...frameSize(spec.resolution, spec.aspect),
    fps: spec.fps,
    transition: spec.transition,
    transitionSec: spec.transition === 'cut' ? 0 : TRANSITION_SEC,
    captions: !spec.captions ? 'off' : spec.burnCaptions ? 'burned' : 'soft',
    language: spec.language,
    // A narrated story's pages last as their narration (plus the pause), measured by the composer.
    ...(spec.recipe === 'story' && spec.narration
      ? { pageTiming: { by: 'narration' as const, pauseSec: spec.narrationPauseSec } }
      : {}),
  };
}

export type PlannerUsed = ScenePlanned['planner'];

/**
 * Turns a recipe's outline and the plan's words into scenes: visual scenes first (0..v-1), then
 * one narration scene per visual scene (aligned to it), then the music bed. Seeds derive from the
 * job's seed, else its prompt, else its id, so the same spec plans the same scenes.
 */
export function assemblePlan(
  job: JobRequested,
  outline: SceneOutline,
  words: CreativeText,
  catalog: ModelCatalog,
  planner: PlannerUsed,
  now = new Date(),
): ScenePlanned[] {
  const { spec } = job;
  const output = outputFormatOf(spec);
  const v = outline.visuals.length;
  const sceneCount = v + (outline.narration ? v : 0) + (outline.music ? 1 : 0);
  const seedBase = spec.seed ?? spec.prompt ?? job.jobId;
  const base = (sceneIndex: number) => ({
    version: 1 as const,
    jobId: job.jobId,
    meta: causedMeta(job.meta, now),
    sceneIndex,
    sceneCount,
    seed: sceneSeed(seedBase, sceneIndex),
    output,
    attempt: 1,
    planner,
  });
  const wordsOf = (i: number) =>
    words.scenes[i] ?? { prompt: spec.prompt ?? 'untitled', caption: '', narration: '' };
  const scenes: ScenePlanned[] = outline.visuals.map((slot, i) => {
    const w = wordsOf(i);
    const caption = spec.captions ? shortLine(w.caption || w.narration, 200) : '';
    return {
      ...base(i),
      kind: slot.kind,
      prompt: w.prompt,
      durationSec: slot.durationSec,
      // A user's upload is not a prediction, whatever its kind.
      model: slot.uploadKey
        ? UPLOAD_MODEL
        : modelForScene(slot.kind, catalog, spec.models, { chained: slot.chainedFrom !== undefined }),
      ...(caption ? { caption } : {}),
      ...(outline.narration && w.narration ? { narration: w.narration } : {}),
      ...(slot.uploadKey ? { uploadKey: slot.uploadKey } : {}),
      ...(slot.chainedFrom !== undefined ? { chainedFrom: slot.chainedFrom } : {}),
    };
  });
  if (outline.narration) {
    // One model and voice for the whole job, chosen by its language (the same voice on every page).
    const speech = narrationModelFor(spec, catalog);
    outline.visuals.forEach((slot, i) => {
      const text = wordsOf(i).narration || wordsOf(i).prompt;
      scenes.push({
        ...base(v + i),
        kind: 'narration',
        prompt: text,
        narration: text,
        durationSec: slot.narrationSec ?? slot.durationSec,
        model: speech.model,
        alignTo: i,
        ...(speech.voice ? { voice: speech.voice } : {}),
        language: spec.language,
      });
    });
  }
  if (outline.music) {
    scenes.push({
      ...base(sceneCount - 1),
      kind: 'music',
      prompt: words.musicPrompt,
      durationSec: outline.music.durationSec,
      model: modelForScene('music', catalog, spec.models),
    });
  }
  return scenes;
}

/**
 * The planner used when no planning model is available or its plan is invalid: the same job always
 * gives the same plan.
 */
export function planDeterministically(
  job: JobRequested,
  catalog: ModelCatalog = DEFAULT_MODELS,
  now = new Date(),
  uploads: readonly UploadFacts[] = [],
): ScenePlanned[] {
  const outline = outlineFor(job, uploads, outputFormatOf(job.spec));
  return assemblePlan(job, outline, deterministicWords(job.spec, outline), catalog, 'deterministic', now);
}

function sceneSeed(base: number | string, index: number): number {
  return createHash('sha256').update(`${base}:${index}`).digest().readUInt32BE(0) & 0x7fffffff;
}
