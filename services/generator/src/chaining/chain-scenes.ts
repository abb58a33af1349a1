import type { ScenePlanned } from '@reelay/events';
import type { ChainLinks, ReadyClip } from './chain-links';
import type { LastFrames } from './last-frames';
import type { RenderStart } from './render-start';

export interface ChainDeps {
  links: ChainLinks;
  frames: LastFrames;
  renders: RenderStart;
}

type ChainedScene = ScenePlanned & { chainedFrom: number };

export const isChained = (scene: ScenePlanned): scene is ChainedScene => scene.chainedFrom !== undefined;

/** A chained scene was planned: it starts now if the scene it continues is already stored. */
export async function chainedScenePlanned(
  scene: ChainedScene,
  deps: ChainDeps,
): Promise<'started' | 'waiting'> {
  await deps.links.putChainedScene(scene);
  const previous = await deps.links.readyClip(scene.jobId, scene.chainedFrom);
  if (!previous) return 'waiting';
  await startFrom(scene, previous, deps);
  return 'started';
}

/** A video scene is stored: the scene chained from it (if planned yet) starts from its last frame. */
export async function clipReady(clip: ReadyClip, deps: ChainDeps): Promise<'started' | 'none'> {
  await deps.links.putReadyClip(clip);
  const next = await deps.links.chainedSceneAfter(clip.jobId, clip.sceneIndex);
  if (!next) return 'none';
  await startFrom(next, clip, deps);
  return 'started';
}

async function startFrom(scene: ScenePlanned, previous: ReadyClip, deps: ChainDeps): Promise<void> {
  const firstFrameKey = await deps.frames.ensure(previous.jobId, previous.sceneIndex, previous.key);
  await deps.renders.start(scene, firstFrameKey);
}
