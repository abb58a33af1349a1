import { join } from 'node:path';
import { isHardCut } from '../composition';
import { framesFor, transitionFrames } from '../composition/output-format';
import { renderTransitionBetween } from '../composition/transition-render';
import { downloadObject, preparedKey, transitionKey, uploadFile } from './media-files';
import { isAudioKind, isComplete, type JobComposition, preparedSceneAt, type SceneSet } from './scene-set';

const isVisual = (job: JobComposition, index: number) => !isAudioKind(preparedSceneAt(job, index).kind);

export interface ReadyTransition {
  /** The outgoing scene's index. */
  from: number;
  /** The incoming scene's index. */
  to: number;
}

/**
 * The transitions that can be rendered now that visual scene `sceneIndex` is prepared: into it from
 * the nearest visual scene before it, and from it into the nearest after it, when that scene is
 * prepared too and every scene between the two is prepared and sound only (narration, music), so
 * no scene still unprepared can turn out to lie between them on the timeline. None for hard cuts.
 */
export function transitionsReadyFor(job: JobComposition, sceneIndex: number): ReadyTransition[] {
  if (isHardCut(job.output) || !job.prepared.has(sceneIndex) || !isVisual(job, sceneIndex)) return [];
  const neighbour = (step: 1 | -1): number | undefined => {
    for (let i = sceneIndex + step; i >= 0 && i < job.sceneCount; i += step) {
      if (!job.prepared.has(i)) return undefined;
      if (isVisual(job, i)) return i;
    }
    return undefined;
  };
  const overlap = transitionFrames(job.output);
  // A clip shorter than the transition cannot give it a tail or a head (compose says so).
  const longEnough = (i: number) => framesFor(job.durations[i] ?? 0, job.output) >= overlap;
  const before = neighbour(-1);
  const after = neighbour(1);
  return [
    ...(before === undefined ? [] : [{ from: before, to: sceneIndex }]),
    ...(after === undefined ? [] : [{ from: sceneIndex, to: after }]),
  ].filter(({ from, to }) => longEnough(from) && longEnough(to));
}

export interface EarlyTransitions {
  rendered: ReadyTransition[];
  /** Transitions that could not be rendered here (left to compose), with why. */
  failed: Array<ReadyTransition & { reason: string }>;
}

export interface EarlyTransitionDeps {
  s3: Parameters<typeof downloadObject>[0];
  bucket: string;
  scenes: Pick<SceneSet, 'recordTransition' | 'get'>;
  signal?: AbortSignal;
}

/**
 * Renders the transitions `transitionsReadyFor` names, while other scenes are still being made:
 * the overlap of the two prepared clips (the same ffmpeg run compose would make), stored beside
 * them and recorded in the scene set, so compose copies it instead of rendering it on the job's
 * critical path. Not called by the scene that completes the set: compose starts at once and
 * renders what is left itself, so a transition rendered here is never waited for; a prepare that
 * finds the set completed meanwhile renders no more. A transition that fails here is left to
 * compose (reported, never thrown: the scene itself is prepared and counted).
 */
export async function renderEarlyTransitions(
  job: JobComposition,
  scene: { index: number; file: string },
  dir: string,
  deps: EarlyTransitionDeps,
): Promise<EarlyTransitions> {
  const ready = transitionsReadyFor(job, scene.index);
  const format = job.output;
  const outcome: EarlyTransitions = { rendered: [], failed: [] };
  for (const { from, to } of ready) {
    // Once the set is complete compose is rendering what is not recorded: a render here would only
    // take the CPU from it (two prepares finishing together on one machine, as locally).
    const latest = await deps.scenes.get(job.jobId);
    if (!latest || isComplete(latest)) break;
    try {
      const other = from === scene.index ? to : from;
      const otherFile = join(dir, `neighbour-${other}.mp4`);
      await downloadObject(deps.s3, deps.bucket, preparedKey(job.jobId, other, false), otherFile);
      const fileOf = (index: number) => (index === scene.index ? scene.file : otherFile);
      const output = join(dir, `transition-${from}-${to}.mp4`);
      await renderTransitionBetween({
        from: { file: fileOf(from), durationSec: job.durations[from] ?? 0 },
        to: fileOf(to),
        format,
        output,
        ...(deps.signal ? { signal: deps.signal } : {}),
      });
      await uploadFile(deps.s3, deps.bucket, transitionKey(job.jobId, from, to), output, 'video/mp4');
      await deps.scenes.recordTransition(job.jobId, from, to);
      outcome.rendered.push({ from, to });
    } catch (error) {
      // The scene is prepared and counted: a transition not rendered here is compose's to render,
      // so its failure must not fail (or retry) the scene. Stopping (the function's time) is not a failure of it.
      if (deps.signal?.aborted) throw error;
      outcome.failed.push({ from, to, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcome;
}
