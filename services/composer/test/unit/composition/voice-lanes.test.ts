import { soundtrackMixArgs, voiceLanes } from '../../../src/composition/soundtrack';

const format = { width: 320, height: 180, fps: 30, transition: 'crossfade', transitionSec: 0.5 } as const;

describe('narration lanes', () => {
  it('puts voices that do not overlap one after the other in one lane, in timeline order', () => {
    // Act
    const lanes = voiceLanes([
      { file: 'b', startSec: 4.5, durationSec: 3 },
      { file: 'a', startSec: 0.5, durationSec: 3.5 },
      { file: 'c', startSec: 9, durationSec: 2 },
    ]);
    // Assess
    expect(lanes.map((lane) => lane.map((v) => v.file))).toEqual([['a', 'b', 'c']]);
  });

  it('gives an overlapping voice, or one of unknown length, a lane of its own', () => {
    // Act
    const lanes = voiceLanes([
      { file: 'a', startSec: 0, durationSec: 5 },
      { file: 'b', startSec: 4, durationSec: 2 },
      { file: 'c', startSec: 7 },
      { file: 'd', startSec: 8, durationSec: 1 },
    ]);
    // Assess
    expect(lanes.map((lane) => lane.map((v) => v.file))).toEqual([['a', 'd'], ['b'], ['c']]);
  });

  it('mixes 120 page narrations as one concatenated lane, not 120 delayed inputs of the whole length', () => {
    // Prepare
    const clips = Array.from({ length: 120 }, (_, i) => ({ file: `clip-${i}.mp4`, frames: 150 }));
    const narration = clips.map((_, i) => ({
      file: `voice-${i}.m4a`,
      startSec: i * 4.5 + 0.5,
      durationSec: 3.5,
    }));
    // Act
    const { args } = soundtrackMixArgs({ clips, overlapFrames: 15, format, narration });
    // Assess
    const graph = args[args.indexOf('-filter_complex') + 1] ?? '';
    expect(graph.match(/adelay[^;]*\[v\d/g)).toHaveLength(1);
    expect(graph).toContain('concat=n=120:v=0:a=1[lane0]');
    // Voice 2 is padded to voice 3's start: 4.5 s after its own, in samples.
    expect(graph).toContain(`apad,atrim=end_sample=${4.5 * 48000}[v0_2]`);
    // The first is delayed to its start and padded to the second's start on the timeline.
    expect(graph).toContain(`adelay=delays=${0.5 * 48000}S:all=1,apad,atrim=end_sample=${5 * 48000}[v0_0]`);
  });

  it("lays the scenes' sound in two lanes of faded clips, not a chain of 119 crossfades", () => {
    // Prepare
    const clips = Array.from({ length: 120 }, (_, i) => ({ file: `clip-${i}.mp4`, frames: 150 }));
    // Act
    const { args } = soundtrackMixArgs({ clips, overlapFrames: 15, format });
    // Assess
    const graph = args[args.indexOf('-filter_complex') + 1] ?? '';
    expect(graph).not.toContain('acrossfade');
    expect(graph).toContain('concat=n=60:v=0:a=1[scenes0]');
    expect(graph).toContain('concat=n=60:v=0:a=1[scenes1]');
    // Clip 1 (the odd lane's first) starts where clip 0's tail begins: 135 frames in.
    expect(graph).toContain(`adelay=delays=${135 * 1600}S:all=1`);
  });
});
