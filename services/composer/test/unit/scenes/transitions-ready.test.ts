import { makeSceneReady, type SceneKind } from '@reelay/events';
import { transitionsReadyFor } from '../../../src/scenes/early-transitions';
import type { JobComposition } from '../../../src/scenes/scene-set';

/** A job of `kinds`, of which `prepared` are prepared (2 s each, half-second crossfades at 30 fps). */
function job(
  kinds: SceneKind[],
  prepared: number[],
  output: Partial<JobComposition['output']> = {},
): JobComposition {
  const ready = makeSceneReady();
  return {
    jobId: ready.jobId,
    sceneCount: kinds.length,
    prepared: new Set(prepared),
    output: { ...ready.output, fps: 30, transition: 'crossfade', transitionSec: 0.5, ...output },
    meta: ready.meta,
    durations: Object.fromEntries(prepared.map((i) => [i, 2])),
    scenes: Object.fromEntries(prepared.map((i) => [i, { kind: kinds[i] ?? 'video', durationSec: 2 }])),
    transitions: {},
  };
}

describe('which transitions a prepared scene can have rendered', () => {
  it('names both neighbours once they are prepared, and none that is not', () => {
    const kinds: SceneKind[] = ['video', 'video', 'video', 'video'];
    expect(transitionsReadyFor(job(kinds, [1]), 1)).toEqual([]);
    expect(transitionsReadyFor(job(kinds, [0, 1]), 1)).toEqual([{ from: 0, to: 1 }]);
    expect(transitionsReadyFor(job(kinds, [0, 1, 2]), 1)).toEqual([
      { from: 0, to: 1 },
      { from: 1, to: 2 },
    ]);
    expect(transitionsReadyFor(job(kinds, [0, 1, 3]), 1)).toEqual([{ from: 0, to: 1 }]);
  });

  it('looks past prepared narration and music, and not past a scene whose kind is not known yet', () => {
    // Prepare: pages 0 and 2 with narration 1 between them (an interleaved story); music 3; page 4.
    const kinds: SceneKind[] = ['image', 'narration', 'image', 'music', 'image'];
    // Act / Assess: the narration prepared, pages 0 and 2 are neighbours.
    expect(transitionsReadyFor(job(kinds, [0, 1, 2]), 2)).toEqual([{ from: 0, to: 2 }]);
    // Scene 1 not prepared: it could be a picture, so 0 and 2 are not known to be neighbours.
    expect(transitionsReadyFor(job(kinds, [0, 2]), 2)).toEqual([]);
    expect(transitionsReadyFor(job(kinds, [2, 3, 4]), 2)).toEqual([{ from: 2, to: 4 }]);
  });

  it('names none for hard cuts, for a sound scene, or for a clip shorter than the transition', () => {
    const kinds: SceneKind[] = ['video', 'video', 'narration'];
    expect(transitionsReadyFor(job(kinds, [0, 1], { transition: 'cut' }), 1)).toEqual([]);
    expect(transitionsReadyFor(job(kinds, [0, 1, 2]), 2)).toEqual([]);
    const short = job(kinds, [0, 1]);
    short.durations[0] = 0.2; // 6 frames, under the 15-frame crossfade
    expect(transitionsReadyFor(short, 1)).toEqual([]);
  });
});
