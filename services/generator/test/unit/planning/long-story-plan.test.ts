import { JOB_LIMITS, MAX_EVENT_BYTES, makeJobRequested, scenePlannedSchema } from '@reelay/events';
import { ulid } from 'ulid';
import { DEFAULT_MODELS } from '../../../src/models/model-catalog';
import { deterministicWords } from '../../../src/planning/creative-text';
import { assemblePlan, outputFormatOf } from '../../../src/planning/deterministic-planner';
import { MAX_ITEM_BYTES, packPlan, unpackPlan } from '../../../src/planning/plan-store';
import { outlineFor, type UploadFacts } from '../../../src/planning/scene-outline';
import {
  MAX_PAGE_NARRATION_SEC,
  scriptCoversEveryPage,
  withScript,
} from '../../../src/planning/story-script';
import { mapAtMost } from '../../../src/planning/upload-facts';

const pages = (n: number): UploadFacts[] =>
  Array.from({ length: n }, () => ({ key: `uploads/u-1/${ulid()}.png`, kind: 'image' }));

/** What planJob does between reading the uploads and keeping the plan. */
function planStory(spec: Record<string, unknown>, uploads: UploadFacts[]) {
  const job = makeJobRequested({
    spec: { recipe: 'story', prompt: 'a chapter', uploads: uploads.map(() => ulid()), ...spec },
    uploadKeys: uploads.map((u) => u.key),
  });
  const outline = outlineFor(job, uploads, outputFormatOf(job.spec));
  const words = withScript(deterministicWords(job.spec, outline), job.spec);
  return { job, scenes: assemblePlan(job, outline, words, DEFAULT_MODELS, 'deterministic') };
}

describe('planning a long story', () => {
  it('speaks each script line over its page and lets the narration run its length', () => {
    // Prepare
    const uploads = pages(3);

    // Act
    const { scenes } = planStory(
      { script: ['Trang một.', '', 'Trang ba.'], narrationPauseSec: 0.25 },
      uploads,
    );

    // Assess: pages 0..2, narrations 3..5 aligned to them, music 6.
    const narrations = scenes.filter((s) => s.kind === 'narration');
    expect(narrations.map((s) => s.alignTo)).toEqual([0, 1, 2]);
    expect(narrations[0]?.narration).toBe('Trang một.');
    expect(narrations[2]?.narration).toBe('Trang ba.');
    // The empty line is the planner's to write, from the prompt.
    expect(narrations[1]?.narration).toBeTruthy();
    expect(scenes[0]?.caption).toBe('Trang một.');
    expect(narrations.every((s) => s.durationSec === MAX_PAGE_NARRATION_SEC)).toBe(true);
    expect(scenes.every((s) => s.output.pageTiming?.pauseSec === 0.25)).toBe(true);
  });

  it('times pages by their narration only in a narrated story', () => {
    expect(planStory({ narration: false }, pages(2)).scenes[0]?.output.pageTiming).toBeUndefined();
    expect(scriptCoversEveryPage(planStory({ script: ['a', 'b'] }, pages(2)).job.spec)).toBe(true);
    expect(scriptCoversEveryPage(planStory({ script: ['a', ''] }, pages(2)).job.spec)).toBe(false);
  });

  it('plans 300 pages with the whole script budget into 601 valid events, each under 256 KB, kept in one item under 400 KB', () => {
    // Prepare: the worst case: every line as long as the byte budget allows, in three-byte letters
    // drawn at random (random text compresses worst).
    const letters = 'ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ';
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const perLine = Math.floor(JOB_LIMITS.scriptTotalBytes / 300 / 3);
    const script = Array.from({ length: 300 }, () =>
      Array.from({ length: perLine }, (_, i) =>
        i % 6 === 5 ? ' ' : letters[random() % letters.length],
      ).join(''),
    );

    // Act
    const { scenes } = planStory({ script }, pages(300));
    const json = JSON.stringify(scenes);
    const packed = packPlan(json);

    // Assess
    expect(scenes).toHaveLength(601);
    for (const scene of scenes) {
      expect(scenePlannedSchema.safeParse(scene).success).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(scene))).toBeLessThan(MAX_EVENT_BYTES);
    }
    expect(Buffer.byteLength(json)).toBeGreaterThan(MAX_ITEM_BYTES);
    expect(packed.byteLength).toBeLessThan(MAX_ITEM_BYTES / 2);
    expect(unpackPlan(packed)).toBe(json);
  });

  it('reads uploads a few at a time, results in order', async () => {
    let running = 0;
    let most = 0;
    const read = async (n: number) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return n * 2;
    };

    const results = await mapAtMost([1, 2, 3, 4, 5, 6, 7], 3, read);

    expect(results).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(most).toBe(3);
  });
});
