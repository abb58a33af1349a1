import { isChunked, planChunks } from '../../../src/composition/chunk-plan';
import { InvalidOutputFormatError } from '../../../src/composition/output-format';
import { planTimeline, timelineFrames } from '../../../src/composition/timeline-plan';

describe('chunk planning', () => {
  it('cuts the timeline at scene boundaries, each chunk owning the transition into the next', () => {
    // Act
    const chunks = planChunks([150, 150, 150, 150, 150, 150], 15, 2);
    // Assess
    expect(chunks.map((c) => [c.firstClip, c.lastClip, c.readsClips])).toEqual([
      [0, 1, [0, 1, 2]],
      [2, 3, [2, 3, 4]],
      [4, 5, [4, 5]],
    ]);
    expect(chunks[0]?.segments.at(-1)).toEqual({
      kind: 'transition',
      fromClip: 1,
      toClip: 2,
      fromStartFrame: 135,
      frames: 15,
    });
    // The next chunk starts on the first frame of its first scene's middle: the keyframe prepare forced there.
    expect(chunks[1]?.segments[0]).toEqual({ kind: 'copy', clipIndex: 2, startFrame: 15, endFrame: 135 });
    expect(chunks[2]?.segments.at(-1)).toEqual({ kind: 'copy', clipIndex: 5, startFrame: 15, endFrame: 150 });
  });

  it('covers every segment of the timeline once, in order, with frames that add up', () => {
    // Prepare
    const clipFrames = [150, 90, 151, 30, 150, 120, 150];
    // Act
    const chunks = planChunks(clipFrames, 15, 3);
    // Assess
    expect(chunks.flatMap((c) => c.segments)).toEqual(planTimeline(clipFrames, 15));
    expect(chunks.reduce((sum, c) => sum + c.frames, 0)).toBe(timelineFrames(clipFrames, 15));
    chunks.forEach((chunk, i) => {
      const before = chunks.slice(0, i).reduce((sum, c) => sum + c.frames, 0);
      expect(chunk.startFrame).toBe(before);
    });
  });

  it('balances the chunks: sizes differ by one scene at most, never over the limit', () => {
    // Act
    const chunks = planChunks(Array(121).fill(150), 15, 12);
    // Assess
    const sizes = chunks.map((c) => c.lastClip - c.firstClip + 1);
    expect(chunks).toHaveLength(11);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(12);
  });

  it('plans hard cuts without transitions: no chunk reads a neighbour', () => {
    // Act
    const chunks = planChunks([60, 60, 60, 60], 0, 2);
    // Assess
    expect(chunks.map((c) => c.readsClips)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(chunks.flatMap((c) => c.segments).every((s) => s.kind === 'copy')).toBe(true);
  });

  it('keeps a short job one composition and refuses a chunk size that is not a whole number', () => {
    expect(isChunked(5, 24)).toBe(false);
    expect(isChunked(25, 24)).toBe(true);
    expect(() => planChunks([150], 15, 0)).toThrow(InvalidOutputFormatError);
    expect(() => planChunks([150], 15, 2.5)).toThrow(InvalidOutputFormatError);
  });
});
