import { makeJobRequested, type ScenePlanned } from '@reelay/events';
import { DEFAULT_MODELS } from '../../../src/models/model-catalog';
import { wordsFromModel } from '../../../src/planning/model-planner';
import { type PlanJobDeps, planJob } from '../../../src/planning/plan-job';
import type { PlanStore } from '../../../src/planning/plan-store';
import { UploadRejectedError } from '../../../src/uploads/upload-media';

class MemoryPlans implements PlanStore {
  readonly plans = new Map<string, ScenePlanned[]>();
  async get(jobId: string) {
    return this.plans.get(jobId);
  }
  async keep(jobId: string, scenes: ScenePlanned[]) {
    if (!this.plans.has(jobId)) this.plans.set(jobId, scenes);
    return this.plans.get(jobId) ?? scenes;
  }
}

/** A replicate client whose one prediction answers `output` (or fails). */
function fakeReplicate(answer: { status: string; output?: unknown; error?: string }) {
  const created: unknown[] = [];
  return {
    created,
    replicate: {
      predictions: {
        create: async (options: unknown) => {
          created.push(options);
          return { id: 'p1', status: 'starting' };
        },
        get: async () => ({
          id: 'p1',
          metrics: { predict_time: 2, input_token_count: 900, output_token_count: 300 },
          ...answer,
        }),
        cancel: async () => ({ id: 'p1', status: 'canceled' }),
      },
    } as never,
  };
}

const validPlan = (n: number) =>
  JSON.stringify({
    scenes: Array.from({ length: n }, (_, i) => ({
      prompt: `shot ${i}`,
      caption: `cap ${i}`,
      narration: `line ${i}`,
    })),
    music: 'soft strings',
  });

function deps(
  replicate: ReturnType<typeof fakeReplicate>['replicate'],
  overrides: Partial<PlanJobDeps> = {},
) {
  const published: Array<{ definition: { detailType: string }; detail: unknown }> = [];
  const publisher = {
    publishAll: async (events: readonly { definition: { detailType: string }; detail: unknown }[]) => {
      published.push(...events);
    },
    publish: async (definition: { detailType: string }, detail: unknown) => {
      published.push({ definition, detail });
    },
  };
  const planDeps: PlanJobDeps = {
    catalog: DEFAULT_MODELS,
    uploadFacts: async (key) => ({ key, kind: 'image' }),
    modelWords: (brief, outline, fallback, spent) =>
      wordsFromModel(
        brief,
        outline,
        fallback,
        { replicate, model: 'meta/meta-llama-3-8b-instruct', sleep: async () => undefined },
        spent,
      ),
    plans: new MemoryPlans(),
    publisher: publisher as never,
    ...overrides,
  };
  return { planDeps, published };
}

describe('planning with a model', () => {
  const job = makeJobRequested({ spec: { prompt: 'a lighthouse', scenes: 2, music: true, narration: true } });

  it("uses the model's words when its JSON fits the recipe, and records planner=model", async () => {
    const { replicate } = fakeReplicate({
      status: 'succeeded',
      output: ['```json\n', validPlan(2), '\n```'],
    });
    const { planDeps, published } = deps(replicate);

    const result = await planJob(job, planDeps);

    expect(result.outcome).toBe('planned');
    const scenes = published.map((e) => e.detail as ScenePlanned);
    expect(scenes.map((s) => s.planner)).toEqual(Array(5).fill('model'));
    expect(scenes.map((s) => s.prompt)).toEqual(['shot 0', 'shot 1', 'line 0', 'line 1', 'soft strings']);
  });

  it("puts the planning prediction's cost on scene 0's ScenePlanned, whatever the model answered", async () => {
    for (const answer of [
      { status: 'succeeded', output: validPlan(2) },
      { status: 'succeeded', output: 'not a plan' },
      { status: 'failed', error: 'CUDA out of memory' },
    ]) {
      const { replicate } = fakeReplicate(answer);
      const { planDeps, published } = deps(replicate);

      await planJob(job, planDeps);

      const scenes = published.map((e) => e.detail as ScenePlanned);
      // Per token: 900 in at $0.05/M and 300 out at $0.25/M (not per second of predict_time)
      expect(scenes[0]?.planning).toEqual([
        {
          predictionId: 'p1',
          attempt: 1,
          status: answer.status === 'failed' ? 'failed' : 'succeeded',
          costUsd: 0.00012,
        },
      ]);
      expect(scenes.slice(1).every((s) => s.planning === undefined)).toBe(true);
    }
  });

  it('plans without a planning cost when no model is asked', async () => {
    const { replicate } = fakeReplicate({ status: 'succeeded', output: validPlan(2) });
    const { planDeps, published } = deps(replicate, { modelWords: undefined });

    await planJob(job, planDeps);

    expect(published.map((e) => (e.detail as ScenePlanned).planning)).toEqual(Array(5).fill(undefined));
  });

  it.each([
    ['prose instead of JSON', { status: 'succeeded', output: ['Sure! Here is your plan.'] }],
    ['the wrong number of scenes', { status: 'succeeded', output: validPlan(3) }],
    [
      'a scene without a prompt',
      { status: 'succeeded', output: '{"scenes":[{"caption":"a"},{"prompt":"b"}]}' },
    ],
    ['a failed prediction', { status: 'failed', error: 'CUDA out of memory' }],
  ])('falls back to the deterministic plan on %s, and records planner=deterministic', async (_, answer) => {
    const { replicate } = fakeReplicate(answer);
    const fallbacks: unknown[] = [];
    const { planDeps, published } = deps(replicate, { onModelFallback: (e) => fallbacks.push(e) });

    await planJob(job, planDeps);

    const scenes = published.map((e) => e.detail as ScenePlanned);
    expect(scenes.map((s) => s.planner)).toEqual(Array(5).fill('deterministic'));
    expect(scenes[0]?.prompt).toBe('a lighthouse, opening wide shot');
    expect(fallbacks).toHaveLength(1);
  });

  it('gives up on a model that does not answer in time, cancels it and plans deterministically', async () => {
    const { replicate } = fakeReplicate({ status: 'processing' });
    let clock = 0;
    const cancel = jest.spyOn(
      (replicate as { predictions: { cancel: () => unknown } }).predictions,
      'cancel',
    );
    const { planDeps, published } = deps(replicate, {
      modelWords: (brief, outline, fallback, spent) =>
        wordsFromModel(
          brief,
          outline,
          fallback,
          {
            replicate,
            model: 'reelay-local/planner',
            timeoutMs: 1000,
            now: () => clock,
            sleep: async (ms) => {
              clock += ms;
            },
          },
          spent,
        ),
    });

    await planJob(job, planDeps);

    expect(cancel).toHaveBeenCalledWith('p1');
    const first = published[0]?.detail as ScenePlanned | undefined;
    expect(first?.planner).toBe('deterministic');
    expect(first?.planning).toEqual([{ predictionId: 'p1', attempt: 1, status: 'canceled', costUsd: 0 }]);
  });

  it('republishes the kept plan on redelivery instead of asking the model again', async () => {
    const fake = fakeReplicate({ status: 'succeeded', output: validPlan(2) });
    const { planDeps, published } = deps(fake.replicate);

    await planJob(job, planDeps);
    await planJob(job, planDeps);

    expect(fake.created).toHaveLength(1);
    expect(published.slice(5)).toEqual(published.slice(0, 5));
  });

  it('fails the job at planning (JobFailed, stage plan) when an upload is not usable media', async () => {
    const story = makeJobRequested({
      spec: { recipe: 'story', prompt: 'x', uploads: ['01J00000000000000000000001'] },
      uploadKeys: ['uploads/u/01J00000000000000000000001.png'],
    });
    const { replicate } = fakeReplicate({ status: 'succeeded', output: validPlan(1) });
    const { planDeps, published } = deps(replicate, {
      uploadFacts: async () => {
        throw new UploadRejectedError('the file is a playlist');
      },
    });

    const result = await planJob(story, planDeps);

    expect(result.outcome).toBe('rejected');
    expect(published.map((e) => e.definition.detailType)).toEqual(['JobFailed']);
    expect(published[0]?.detail).toMatchObject({ stage: 'plan', code: 'UPLOAD_REJECTED', retryable: false });
  });
});
