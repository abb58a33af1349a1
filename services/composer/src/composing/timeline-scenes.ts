import type { SceneKind } from '@reelay/events';
import { type JobComposition, type PreparedScene, preparedSceneAt } from '../scenes/scene-set';

export interface VisualScene {
  sceneIndex: number;
  durationSec: number;
  caption?: string;
  /** Its sound is silence: the soundtrack neither downloads nor decodes it. */
  silent?: boolean;
}
export interface AudioScene {
  sceneIndex: number;
  durationSec: number;
  /** Narration: where it starts on the output timeline. */
  startSec: number;
}

/** A job's prepared scenes sorted into what the timeline is made of. */
export interface TimelineScenes {
  visual: VisualScene[];
  narration: AudioScene[];
  music: AudioScene[];
}

/**
 * Visual scenes (video, image, upload) in sceneIndex order make the picture; narration starts
 * where its aligned visual scene starts on the output timeline (scene i starts at the sum of the
 * earlier scenes minus one transition overlap each); music lies under everything.
 */
export function timelineScenes(job: JobComposition, overlapSec: number): TimelineScenes {
  const indices = [...Array(job.sceneCount).keys()];
  const sceneAt = (i: number): PreparedScene => preparedSceneAt(job, i);
  const ofKinds = (kinds: readonly SceneKind[]) => indices.filter((i) => kinds.includes(sceneAt(i).kind));

  const visual = ofKinds(['video', 'image', 'upload']).map((i): VisualScene => {
    const scene = sceneAt(i);
    return {
      sceneIndex: i,
      durationSec: scene.durationSec,
      ...(scene.caption ? { caption: scene.caption } : {}),
      ...(scene.silent ? { silent: true } : {}),
    };
  });
  const starts = new Map<number, number>();
  let start = 0;
  for (const scene of visual) {
    starts.set(scene.sceneIndex, start);
    start += scene.durationSec - overlapSec;
  }
  const narration = ofKinds(['narration']).map((i): AudioScene => {
    const scene = sceneAt(i);
    return {
      sceneIndex: i,
      durationSec: scene.durationSec,
      startSec: scene.alignTo === undefined ? 0 : (starts.get(scene.alignTo) ?? 0),
    };
  });
  const music = ofKinds(['music']).map((i) => ({
    sceneIndex: i,
    durationSec: sceneAt(i).durationSec,
    startSec: 0,
  }));
  return { visual, narration, music };
}
