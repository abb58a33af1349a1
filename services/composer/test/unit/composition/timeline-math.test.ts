import { concatListText, inpointUs, outpointUs } from '../../../src/composition/concat-list';
import { forcedKeyframesExpr, samplesForFrames } from '../../../src/composition/encoding';
import {
  assertOutputFormat,
  fpsRatio,
  InvalidOutputFormatError,
  type OutputFormat,
  transitionKeyframeTimes,
} from '../../../src/composition/output-format';
import { thumbnailTimeSec } from '../../../src/composition/thumbnail';
import {
  MAX_TRANSITIONS_PER_RUN,
  planTimeline,
  timelineFrames,
  transitionBatches,
} from '../../../src/composition/timeline-plan';

const format: OutputFormat = {
  width: 640,
  height: 360,
  fps: 30,
  transition: 'crossfade',
  transitionSec: 0.5,
};

describe('timeline arithmetic', () => {
  it('asks for keyframes where the transitions begin and end', () => {
    expect(transitionKeyframeTimes(4, format)).toEqual([0.5, 3.5]);
    expect(transitionKeyframeTimes(4, { ...format, transition: 'cut' })).toEqual([]);
    expect(transitionKeyframeTimes(4, { ...format, transitionSec: 0 })).toEqual([]);
  });

  it('copies the middles and re-encodes only the overlaps', () => {
    // Act
    const segments = planTimeline([120, 90, 120], 15);
    // Assess
    expect(segments).toEqual([
      { kind: 'copy', clipIndex: 0, startFrame: 0, endFrame: 105 },
      { kind: 'transition', fromClip: 0, toClip: 1, fromStartFrame: 105, frames: 15 },
      { kind: 'copy', clipIndex: 1, startFrame: 15, endFrame: 75 },
      { kind: 'transition', fromClip: 1, toClip: 2, fromStartFrame: 75, frames: 15 },
      { kind: 'copy', clipIndex: 2, startFrame: 15, endFrame: 120 },
    ]);
    expect(timelineFrames([120, 90, 120], 15)).toBe(300);
  });

  it('renders the transitions in as few ffmpeg runs as the input cap allows, each covered once', () => {
    expect(transitionBatches(0)).toEqual([]);
    expect(transitionBatches(4)).toEqual([{ first: 0, count: 4 }]);
    expect(transitionBatches(MAX_TRANSITIONS_PER_RUN)).toHaveLength(1);
    expect(transitionBatches(MAX_TRANSITIONS_PER_RUN + 1).map((b) => b.count)).toEqual([4, 5]);
    for (const count of [1, 7, 9, 17, 63]) {
      const batches = transitionBatches(count);
      expect(batches).toHaveLength(Math.ceil(count / MAX_TRANSITIONS_PER_RUN));
      // Contiguous, in order, every transition exactly once, none over the cap.
      const covered = batches.flatMap(({ first, count: n }) =>
        Array.from({ length: n }, (_, i) => first + i),
      );
      expect(covered).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(Math.max(...batches.map((b) => b.count))).toBeLessThanOrEqual(MAX_TRANSITIONS_PER_RUN);
    }
  });

  it('refuses a clip shorter than its transitions', () => {
    expect(() => planTimeline([120, 20, 120], 15)).toThrow(InvalidOutputFormatError);
  });

  it('keeps audio and video lengths equal at NTSC rates', () => {
    expect(fpsRatio(29.97)).toEqual({ num: 30000, den: 1001 });
    expect(samplesForFrames(30, { fps: 30 })).toBe(48_000);
    expect(samplesForFrames(30_000, { fps: 29.97 })).toBe(48_048_000);
  });

  it('forces keyframes by frame number, not by rounded times', () => {
    expect(forcedKeyframesExpr([16, 104])).toBe('expr:eq(n,16)+eq(n,104)');
    expect(forcedKeyframesExpr([])).toBeUndefined();
  });

  it('cuts at an outpoint that never keeps the first frame of the next segment', () => {
    // 16 frames at 30 fps is 0.5333… s: rounding up would keep frame 16.
    expect(outpointUs(16 / 30)).toBe(533_333);
    expect(inpointUs(16 / 30)).toBe(533_333);
    expect(outpointUs(3.5)).toBe(3_500_000);
  });

  it('writes concat lists whose paths cannot add directives', () => {
    const text = concatListText([
      { file: "/work/it's.mp4", inpointUs: 500_000, outpointUs: 3_500_000, durationUs: 3_000_000 },
    ]);
    expect(text).toBe(
      "ffconcat version 1.0\nfile '/work/it'\\''s.mp4'\ninpoint 0.500000\noutpoint 3.500000\nduration 3.000000\n",
    );
    expect(() => concatListText([{ file: '/a.mp4\nfile /etc/passwd' }])).toThrow(/line break/);
  });

  it('picks the middle of the second scene for the thumbnail', () => {
    expect(thumbnailTimeSec([4, 4, 4], 0.5)).toBe(5.5);
    expect(thumbnailTimeSec([6], 0.5)).toBe(2);
  });

  it('refuses formats a video cannot have', () => {
    expect(() => assertOutputFormat({ ...format, width: 641 })).toThrow(/even integer/);
    expect(() => assertOutputFormat({ ...format, fps: 0 })).toThrow(/fps/);
    expect(() => assertOutputFormat(format)).not.toThrow();
  });
});
