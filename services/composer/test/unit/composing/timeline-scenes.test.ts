import { makeSceneReady } from '@reelay/events';
import { timelineScenes } from '../../../src/composing/timeline-scenes';
import type { JobComposition, PreparedScene } from '../../../src/scenes/scene-set';

function job(scenes: PreparedScene[]): JobComposition {
  const ready = makeSceneReady();
  return {
    jobId: ready.jobId,
    sceneCount: scenes.length,
    prepared: new Set(scenes.map((_, i) => i)),
    output: ready.output,
    meta: ready.meta,
    durations: Object.fromEntries(scenes.map((s, i) => [i, s.durationSec])),
    scenes: Object.fromEntries(scenes.map((s, i) => [i, s])),
    transitions: {},
  };
}

describe('placing scenes of every kind on the timeline', () => {
  it('orders the picture by scene index and starts narration where its aligned scene starts', () => {
    // Prepare: story-like job: two images, an upload, narration for scenes 2 and 0, music.
    const composition = job([
      { kind: 'image', durationSec: 4, caption: 'first' },
      { kind: 'upload', durationSec: 5 },
      { kind: 'video', durationSec: 3 },
      { kind: 'narration', durationSec: 2, alignTo: 2 },
      { kind: 'narration', durationSec: 3, alignTo: 0 },
      { kind: 'music', durationSec: 10 },
    ]);
    // Act
    const scenes = timelineScenes(composition, 0.5);
    // Assess
    expect(scenes.visual.map((s) => s.sceneIndex)).toEqual([0, 1, 2]);
    expect(scenes.visual[0]?.caption).toBe('first');
    expect(scenes.narration).toEqual([
      { sceneIndex: 3, durationSec: 2, startSec: 4 - 0.5 + 5 - 0.5 },
      { sceneIndex: 4, durationSec: 3, startSec: 0 },
    ]);
    expect(scenes.music.map((s) => s.sceneIndex)).toEqual([5]);
  });

  it('carries which pictures prepare found silent, so the soundtrack skips them', () => {
    const composition = job([
      { kind: 'image', durationSec: 4, silent: true },
      { kind: 'video', durationSec: 3 },
    ]);

    const scenes = timelineScenes(composition, 0.5);

    expect(scenes.visual.map((s) => s.silent === true)).toEqual([true, false]);
  });
});
