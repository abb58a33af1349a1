import { createHash } from 'node:crypto';
import {
  causedMeta,
  frameSize,
  type JobRequested,
  type OutputFormat,
  type ScenePlanned,
} from '@reelay/events';
import { type ModelSet, modelFor } from '../models/model-catalog';

/** Shots a scene sequence moves through, so scenes of one prompt differ from each other. */
const SHOTS = [
  'opening wide shot',
  'closer look',
  'a detail in motion',
  'the scene from another angle',
  'the turning point',
  'a sweeping view',
  'a quiet moment',
  'the final image',
];

export const TRANSITION_SEC = 0.5;

export function outputFormatOf(spec: JobRequested['spec']): OutputFormat {
  return {
    ...frameSize(spec.resolution, spec.aspect),
    fps: spec.fps,
    transition: spec.transition,
    transitionSec: spec.transition === 'cut' ? 0 : TRANSITION_SEC,
    captions: !spec.captions ? 'off' : spec.burnCaptions ? 'burned' : 'soft',
  };
}

/**
 * The planner used when no planning model is available or its plan is invalid: the same job always
 * gives the same plan (seeds derive from the job's seed or id).
 */
export function planDeterministically(
  job: JobRequested,
  modelSet: ModelSet,
  now = new Date(),
): ScenePlanned[] {
  const { spec } = job;
  const output = outputFormatOf(spec);
  const prompt = spec.prompt ?? 'untitled';
  const count = spec.scenes;
  return Array.from({ length: count }, (_, sceneIndex) => {
    const shot = SHOTS[sceneIndex % SHOTS.length] as string;
    return {
      version: 1 as const,
      jobId: job.jobId,
      meta: causedMeta(job.meta, now),
      sceneIndex,
      sceneCount: count,
      kind: 'video' as const,
      prompt: count === 1 ? prompt : `${prompt}, ${shot}`,
      durationSec: spec.secondsPerScene,
      model: modelFor('video', modelSet, spec.models.video),
      seed: sceneSeed(spec.seed ?? job.jobId, sceneIndex),
      caption: prompt,
      output,
      attempt: 1,
      planner: 'deterministic' as const,
    };
  });
}

function sceneSeed(base: number | string, index: number): number {
  return createHash('sha256').update(`${base}:${index}`).digest().readUInt32BE(0) & 0x7fffffff;
}
