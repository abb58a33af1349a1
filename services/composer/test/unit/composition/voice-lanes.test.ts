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

describe('silent clips in the soundtrack', () => {
  const inputs = (args: string[]) => args.filter((_, i) => args[i - 1] === '-i');

  it('reads no silent clip: a story of stills mixes narration and music only, as long as the picture', () => {
    // Prepare
    const clips = Array.from({ length: 120 }, (_, i) => ({
      file: `page-${i}.mp4`,
      frames: 150,
      silent: true,
    }));
    const narration = [{ file: 'voice.m4a', startSec: 0.5, durationSec: 3.5 }];
    // Act
    const { args, totalSamples } = soundtrackMixArgs({
      clips,
      overlapFrames: 15,
      format,
      narration,
      music: ['music.m4a'],
    });
    // Assess
    const graph = args[args.indexOf('-filter_complex') + 1] ?? '';
    expect(inputs(args)).toEqual(['voice.m4a', 'music.m4a']);
    expect(graph).not.toContain('[scenes');
    expect(totalSamples).toBe((120 * 150 - 119 * 15) * 1600);
    expect(graph).toContain(`atrim=end_sample=${totalSamples},asplit=2[mixed][tomeasure]`);
  });

  it('puts generated silence where a silent clip lies among clips with sound, keeping every start', () => {
    // Prepare: clip 1 (the odd lane's first) is silent, the others have sound.
    const clips = [0, 1, 2, 3].map((i) => ({ file: `clip-${i}.mp4`, frames: 150, silent: i === 1 }));
    // Act
    const { args } = soundtrackMixArgs({ clips, overlapFrames: 15, format });
    // Assess
    const graph = args[args.indexOf('-filter_complex') + 1] ?? '';
    expect(inputs(args)).toEqual(['clip-0.mp4', 'clip-2.mp4', 'clip-3.mp4']);
    expect(graph).toContain(
      `anullsrc=r=48000:cl=stereo,atrim=end_sample=${150 * 1600},aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,adelay=delays=${135 * 1600}S:all=1`,
    );
    // Clip 2 is the second input: [1:a:0] in the even lane, clip 3 the third.
    expect(graph).toContain('[1:a:0]');
    expect(graph).toContain('[2:a:0]');
    expect(graph).not.toContain('[3:a:0]');
  });

  it('is silence as long as the picture when every clip is silent and there is nothing else', () => {
    const clips = [0, 1].map((i) => ({ file: `page-${i}.mp4`, frames: 30, silent: true }));

    const { args, totalSamples } = soundtrackMixArgs({ clips, overlapFrames: 15, format });

    expect(inputs(args)).toEqual([]);
    const graph = args[args.indexOf('-filter_complex') + 1] ?? '';
    expect(graph).toContain('[silence]anull,apad,atrim=end_sample=');
    expect(totalSamples).toBe(45 * 1600);
  });
});
