import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobSpecInput } from '@reelay/events';
import { DEFAULT_MODEL_IDS, modelContract, validateModelInput } from '@reelay/replicate-models';
import { runJob } from '../../local/cli/run-job';
import { type EmbeddedCloud, startEmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import { TEST_STAGE } from '../support/test-stage';

/**
 * Jest's limit for a test that runs one job. The jobs run side by side (up to Jest's maxConcurrency),
 * so each one shares the machine with four others: slower alone, far faster all together.
 */
const JOB_TEST_MS = 600_000;

/**
 * The generator against the strict twin of Replicate (local/models): the real model ids and
 * versions, community models only by version, inputs validated against the recorded schemas (422
 * otherwise), loopback input URLs unreachable. Each recipe's job, with the default models, must
 * complete: what it sends is what a job on Replicate would send. Jobs are small (1 s scenes, 480p)
 * to keep the run short; the aspects 16:9, 9:16 and 1:1 are spread over them. The jobs run side by
 * side (test.concurrent, Jest's maxConcurrency at a time): each test checks the predictions its own
 * job was charged for or that report to its scenes' webhooks, and the last test checks that every
 * prediction the twin ran belongs to one of the jobs and kept the contract.
 */
describe('every recipe completes against the strict Replicate twin with the default models', () => {
  let cloud: EmbeddedCloud;
  let dir: string;
  const logs: string[] = [];
  const small = { resolution: '480p', secondsPerScene: 1, scenes: 2 } as const;
  /** Every prediction a test's job made, by id: the last test finds none outside them. */
  const attributed = new Set<string>();
  let files = 0;

  beforeAll(async () => {
    cloud = await startEmbeddedCloud({ stage: TEST_STAGE, onLog: (fn, line) => logs.push(`${fn} ${line}`) });
    dir = mkdtempSync(join(tmpdir(), 'replicate-contract-'));
  }, 180_000);

  afterAll(async () => {
    await cloud?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function media(name: string, lavfi: string, args: string[]): string {
    // Jobs run concurrently: each file its own name, so no upload reads a file being rewritten.
    const file = join(dir, `${++files}-${name}`);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', lavfi, ...args, '-y', file]);
    return file;
  }
  const still = (name: string) => media(name, 'testsrc2=s=320x240', ['-frames:v', '1']);
  const clip = (name: string) =>
    media(name, 'testsrc2=s=320x240:r=25', ['-t', '1.5', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']);

  /**
   * Runs a job through the api; returns its record and the twin's predictions the job made: those the
   * ledger charged to it (the planner's among them) and those whose webhook names it (every scene's).
   */
  async function complete(spec: JobSpecInput, uploads: string[] = []) {
    const result = await runJob(cloud, spec, { userId: 'contract-user', uploads });
    const charged = new Set(result.record.usage.map((u) => u.predictionId));
    const predictions = cloud.models
      .predictions()
      .filter((p) => charged.has(p.id) || p.webhook?.includes(`jobId=${result.record.jobId}&`));
    for (const p of predictions) attributed.add(p.id);
    if (result.record.status !== 'COMPLETED')
      throw new Error(
        `job failed: ${JSON.stringify(result.record.failure)}\npredictions: ${JSON.stringify(
          predictions.map((p) => ({ model: p.model, status: p.status, error: p.error })),
        )}\n${logs.slice(-30).join('\n')}`,
      );
    return { record: result.record, predictions };
  }

  /** Every prediction ran a recorded model, succeeded, and had an input its schema accepts. */
  function expectContractKept(predictions: ReturnType<typeof cloud.models.predictions>) {
    expect(predictions.length).toBeGreaterThan(0);
    for (const p of predictions) {
      expect({ model: p.model, status: p.status, error: p.error }).toEqual({
        model: p.model,
        status: 'succeeded',
        error: null,
      });
      expect(validateModelInput(`${p.model}:${p.version}`, p.input)).toEqual([]);
    }
  }

  const defaults = new Set(Object.values(DEFAULT_MODEL_IDS));

  it.concurrent(
    'prompt (16:9): default models, a cost estimated at Replicate prices',
    async () => {
      const { record, predictions } = await complete({
        prompt: 'a lighthouse in a storm at night',
        ...small,
      });

      expectContractKept(predictions);
      expect(new Set(predictions.map((p) => p.model))).toEqual(
        new Set([
          DEFAULT_MODEL_IDS.planner,
          DEFAULT_MODEL_IDS.video,
          DEFAULT_MODEL_IDS.speech,
          DEFAULT_MODEL_IDS.music,
        ]),
      );
      expect(record.output).toMatchObject({ width: 854, height: 480 });
      expect(record.scenes.every((s) => s.provider === 'local')).toBe(true);
      // Two wan clips at 480p are $0.01/s x 81/16 s each: the estimate is not $0.
      expect(record.costUsd).toBeGreaterThan(0.1);
    },
    JOB_TEST_MS,
  );

  it.concurrent(
    'ad (1:1): chained scenes start from the previous last frame, uploaded where Replicate can fetch it',
    async () => {
      const { record, predictions } = await complete({
        recipe: 'ad',
        prompt: 'a 3-second ad for a reusable water bottle',
        aspect: '1:1',
        ...small,
      });

      expectContractKept(predictions);
      expect(record.output).toMatchObject({ width: 480, height: 480 });
      const chained = predictions.filter((p) => p.model === DEFAULT_MODEL_IDS.videoFromImage);
      expect(chained).toHaveLength(1);
      // Not a presigned URL of the embedded S3 on 127.0.0.1: a file of the (twin's) files API.
      expect(String(chained[0]?.input.image)).toContain('/v1/files/');
      const wide = predictions.find((p) => p.model === DEFAULT_MODEL_IDS.video);
      expect(wide?.input.aspect_ratio).toBe('16:9');
    },
    JOB_TEST_MS,
  );

  it.concurrent(
    'story (9:16): the user images with narration and music',
    async () => {
      const { record, predictions } = await complete(
        { recipe: 'story', prompt: 'a day at the seaside', aspect: '9:16', ...small },
        [still('a.png'), still('b.png')],
      );

      expectContractKept(predictions);
      expect(record.output).toMatchObject({ width: 480, height: 854 });
      for (const p of predictions) expect(defaults.has(p.model)).toBe(true);
    },
    JOB_TEST_MS,
  );

  it.concurrent(
    'merge: the user clips, narrated from a prompt',
    async () => {
      const { record, predictions } = await complete(
        { recipe: 'merge', prompt: 'two test patterns', ...small },
        [clip('a.mp4'), clip('b.mp4')],
      );

      expectContractKept(predictions);
      expect(record.scenes.map((s) => s.kind)).toEqual(['upload', 'upload', 'narration', 'narration']);
    },
    JOB_TEST_MS,
  );

  it.concurrent(
    'soundtrack: music for the user clip',
    async () => {
      const { record, predictions } = await complete(
        { recipe: 'soundtrack', prompt: 'calm piano', ...small },
        [clip('c.mp4')],
      );

      expectContractKept(predictions);
      expect(predictions.map((p) => p.model)).toContain(DEFAULT_MODEL_IDS.music);
      expect(record.scenes.map((s) => s.kind)).toEqual(['upload', 'music']);
    },
    JOB_TEST_MS,
  );

  // The aspects the cases above do not cover, so every recipe completes in 16:9, 9:16 and 1:1.
  const FRAME = {
    '16:9': { width: 854, height: 480 },
    '9:16': { width: 480, height: 854 },
    '1:1': { width: 480, height: 480 },
  };
  const uploadsFor: Record<string, () => string[]> = {
    prompt: () => [],
    ad: () => [],
    story: () => [still('s1.png'), still('s2.png')],
    merge: () => [clip('m1.mp4'), clip('m2.mp4')],
    soundtrack: () => [clip('t1.mp4')],
  };
  it.concurrent.each([
    ['prompt', '9:16'],
    ['prompt', '1:1'],
    ['ad', '16:9'],
    ['ad', '9:16'],
    ['story', '16:9'],
    ['story', '1:1'],
    ['merge', '9:16'],
    ['merge', '1:1'],
    ['soundtrack', '9:16'],
    ['soundtrack', '1:1'],
  ] as const)(
    '%s (%s) completes with the default models, in its frame',
    async (recipe, aspect) => {
      const { record, predictions } = await complete(
        { recipe, prompt: `a ${recipe} in ${aspect}`, aspect, ...small },
        uploadsFor[recipe]?.() ?? [],
      );

      expectContractKept(predictions);
      for (const p of predictions) expect(defaults.has(p.model)).toBe(true);
      expect(record.output).toMatchObject(FRAME[aspect]);
    },
    JOB_TEST_MS,
  );

  it.concurrent(
    "the spec's model overrides reach the twin in the right form: pinned versions by version",
    async () => {
      const kokoro = modelContract(DEFAULT_MODEL_IDS.speech);
      const wan = modelContract(DEFAULT_MODEL_IDS.video);

      const { predictions } = await complete({
        prompt: 'a paper boat on a pond',
        ...small,
        scenes: 1,
        music: false,
        voice: 'bm_george',
        models: { narration: `${kokoro.id}:${kokoro.version}`, video: `${wan.id}:${wan.version}` },
      });

      expectContractKept(predictions);
      const speech = predictions.find((p) => p.model === kokoro.id);
      expect(speech).toMatchObject({ version: kokoro.version, input: { voice: 'bm_george' } });
      expect(predictions.find((p) => p.model === wan.id)?.version).toBe(wan.version);
    },
    JOB_TEST_MS,
  );

  // Runs after the concurrent tests above (Jest runs a describe's concurrent tests as one group).
  it('every prediction the twin ran belongs to one of the jobs above and kept the contract', () => {
    const all = cloud.models.predictions();

    expect(all.filter((p) => !attributed.has(p.id)).map((p) => p.model)).toEqual([]);
    expectContractKept(all);
  });
});
