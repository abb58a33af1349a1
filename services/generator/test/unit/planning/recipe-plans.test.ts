import { makeJobRequested, type ScenePlanned } from '@reelay/events';
import { DEFAULT_MODELS } from '../../../src/models/model-catalog';
import { planDeterministically } from '../../../src/planning/deterministic-planner';
import type { UploadFacts } from '../../../src/planning/scene-outline';

const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => `01J000000000000000000000${String(i).padStart(2, '0')}`);
const kinds = (scenes: ScenePlanned[]) => scenes.map((s) => s.kind);
const image = (n: number): UploadFacts => ({
  key: `uploads/u-1/01J0000000000000000000000${n}.png`,
  kind: 'image',
});
const clip = (n: number, durationSec: number): UploadFacts => ({
  key: `uploads/u-1/01J0000000000000000000000${n}.mp4`,
  kind: 'upload',
  durationSec,
});

describe('the deterministic planner, per recipe', () => {
  it('prompt: N video scenes, one narration line aligned to each, then a music bed as long as the video', () => {
    const job = makeJobRequested({ spec: { prompt: 'a lighthouse', scenes: 3, secondsPerScene: 4 } });

    const scenes = planDeterministically(job);

    expect(kinds(scenes)).toEqual([
      'video',
      'video',
      'video',
      'narration',
      'narration',
      'narration',
      'music',
    ]);
    expect(scenes.map((s) => s.sceneIndex)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(new Set(scenes.map((s) => s.sceneCount))).toEqual(new Set([7]));
    expect(scenes.slice(3, 6).map((s) => s.alignTo)).toEqual([0, 1, 2]);
    expect(scenes[6]?.durationSec).toBe(3 * 4 - 2 * 0.5);
    expect(scenes.every((s) => s.planner === 'deterministic')).toBe(true);
    expect(scenes.slice(0, 3).every((s) => s.chainedFrom === undefined)).toBe(true);
  });

  it('prompt: music and narration follow the spec flags', () => {
    const job = makeJobRequested({
      spec: { prompt: 'a lighthouse', scenes: 2, music: false, narration: false },
    });

    expect(kinds(planDeterministically(job))).toEqual(['video', 'video']);
  });

  it('ad: each video scene is chained from the one before, captioned, narrated, with music', () => {
    const job = makeJobRequested({
      spec: {
        recipe: 'ad',
        prompt: 'a 20-second ad for a reusable water bottle',
        scenes: 5,
        secondsPerScene: 4,
      },
    });

    const scenes = planDeterministically(job);
    const visuals = scenes.slice(0, 5);

    expect(kinds(scenes)).toEqual([...Array(5).fill('video'), ...Array(5).fill('narration'), 'music']);
    expect(visuals.map((s) => s.chainedFrom)).toEqual([undefined, 0, 1, 2, 3]);
    expect(visuals.every((s) => (s.caption ?? '').length > 0)).toBe(true);
    expect(scenes[5]?.narration).toBe('Meet a reusable water bottle.');
    expect(visuals[0]?.model).toBe(DEFAULT_MODELS.video);
    expect(visuals[1]?.model).toBe(DEFAULT_MODELS.videoFromImage);
  });

  it('story: the uploaded images become image scenes with their keys, one narration line per image', () => {
    const job = makeJobRequested({
      spec: { recipe: 'story', prompt: 'grandma', uploads: ids(3), music: false },
    });
    const uploads = [image(1), image(2), image(3)];

    const scenes = planDeterministically(job, DEFAULT_MODELS, new Date(), uploads);

    expect(kinds(scenes)).toEqual(['image', 'image', 'image', 'narration', 'narration', 'narration']);
    expect(scenes.slice(0, 3).map((s) => s.uploadKey)).toEqual(uploads.map((u) => u.key));
    expect(scenes.slice(0, 3).map((s) => s.model)).toEqual(Array(3).fill('reelay/upload'));
    expect(scenes.slice(3).map((s) => s.alignTo)).toEqual([0, 1, 2]);
  });

  it('merge: the clips become upload scenes as long as they are; narration only when there is a prompt', () => {
    const uploads = [clip(1, 3.2), clip(2, 5)];
    const silent = makeJobRequested({ spec: { recipe: 'merge', prompt: undefined, uploads: ids(2) } });
    const narrated = makeJobRequested({ spec: { recipe: 'merge', prompt: 'our trip', uploads: ids(2) } });

    const plain = planDeterministically(silent, DEFAULT_MODELS, new Date(), uploads);
    const spoken = planDeterministically(narrated, DEFAULT_MODELS, new Date(), uploads);

    expect(kinds(plain)).toEqual(['upload', 'upload']);
    expect(plain.map((s) => s.durationSec)).toEqual([3.2, 5]);
    expect(kinds(spoken)).toEqual(['upload', 'upload', 'narration', 'narration']);
  });

  it('soundtrack: one upload scene and music from a prompt derived from the job prompt, as long as the clip', () => {
    const job = makeJobRequested({ spec: { recipe: 'soundtrack', prompt: 'calm piano', uploads: ids(1) } });

    const scenes = planDeterministically(job, DEFAULT_MODELS, new Date(), [clip(1, 12.5)]);

    expect(kinds(scenes)).toEqual(['upload', 'music']);
    expect(scenes[1]?.prompt).toContain('calm piano');
    expect(scenes[1]?.durationSec).toBe(12.5);
  });

  it('never plans more than 12 visual scenes, and every scene event is valid', () => {
    const job = makeJobRequested({ spec: { prompt: 'x', scenes: 12, secondsPerScene: 10 } });

    const scenes = planDeterministically(job);

    expect(scenes.filter((s) => s.kind === 'video')).toHaveLength(12);
    expect(scenes).toHaveLength(25);
    expect(scenes.every((s) => s.durationSec <= 10 || s.kind === 'music')).toBe(true);
  });

  it('plans the same scenes and seeds for the same spec, and other seeds for another seed', () => {
    const spec = { prompt: 'a lighthouse', scenes: 2, seed: 7 };
    const a = planDeterministically(makeJobRequested({ spec }));
    const b = planDeterministically(makeJobRequested({ spec }));
    const c = planDeterministically(makeJobRequested({ spec: { ...spec, seed: 8 } }));

    expect(b.map((s) => [s.prompt, s.seed])).toEqual(a.map((s) => [s.prompt, s.seed]));
    expect(c.map((s) => s.seed)).not.toEqual(a.map((s) => s.seed));
    expect(new Set(a.map((s) => s.seed)).size).toBe(a.length);
  });

  it("uses the job's own model for a kind over the catalog's", () => {
    const job = makeJobRequested({
      spec: { prompt: 'x', scenes: 1, models: { video: 'kwaivgi/kling-v2.1' } },
    });

    expect(planDeterministically(job)[0]?.model).toBe('kwaivgi/kling-v2.1');
  });
});
