import type { ScenePlanned } from '@reelay/events';
import { type ChainDeps, chainedScenePlanned, isChained } from '../../chaining/chain-scenes';
import { type ImportUploadDeps, importUpload } from '../../uploads/import-upload';

export type SceneStart = 'imported' | 'rendering' | 'waiting-for-previous' | 'refused';

/**
 * What a planned scene needs to get going: an upload is copied in (no prediction); a chained scene
 * waits for the scene it continues; any other scene starts its RenderScene execution now.
 */
export async function startScene(
  scene: ScenePlanned,
  deps: ChainDeps & ImportUploadDeps,
): Promise<SceneStart> {
  if (scene.uploadKey) return (await importUpload(scene, deps)) ? 'imported' : 'refused';
  if (isChained(scene))
    return (await chainedScenePlanned(scene, deps)) === 'started' ? 'rendering' : 'waiting-for-previous';
  await deps.renders.start(scene);
  return 'rendering';
}
