import type { SceneReady } from '@reelay/events';
import { ulid } from 'ulid';
import { type ComposerHarness, startComposerHarness } from './composer-harness';

/** Invariant 1: one composed video per job, whatever SceneReady duplicates or races arrive. */
describe('composition happens once per job', () => {
  let harness: ComposerHarness;

  beforeAll(async () => {
    harness = await startComposerHarness({ stage: 'composeonce' });
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
  });

  /**
   * VideoComposed events of the job: listens until one arrived (or `waitMs` passed), then
   * `settleMs` longer, so a second composition racing the first is seen too. The wait is a bound
   * for a loaded machine, not a speed check.
   */
  async function composedEvents(
    jobId: string,
    { waitMs, settleMs }: { waitMs: number; settleMs: number },
  ): Promise<Array<{ durationSec: number }>> {
    const composed = async (count: number, ms: number) =>
      (await harness.outcomes(jobId, count, ms))
        .filter((o) => o.type === 'VideoComposed')
        .map((o) => o.detail as { durationSec: number });
    const first = await composed(1, waitMs);
    if (first.length === 0 || settleMs === 0) return first;
    return composed(Number.POSITIVE_INFINITY, settleMs);
  }

  it('a duplicate SceneReady does not complete the set; the last scene composes once', async () => {
    const jobId = ulid();
    const first = await harness.storedScene(jobId, 0, 2);
    const second = await harness.storedScene(jobId, 1, 2);

    await harness.publish([first, first]);
    const early = await composedEvents(jobId, { waitMs: 8_000, settleMs: 0 });
    await harness.publish([second, second, first]);
    const composed = await composedEvents(jobId, { waitMs: 240_000, settleMs: 10_000 });

    expect(early).toHaveLength(0);
    expect(composed).toHaveLength(1);
    expect(composed[0]?.durationSec).toBeCloseTo(2 + 2 - 0.5, 1);
  }, 300_000);

  it('the last two scenes arriving at once compose once', async () => {
    const jobId = ulid();
    const scenes = await Promise.all([0, 1, 2].map((i) => harness.storedScene(jobId, i, 3)));

    await harness.publish([scenes[0] as SceneReady]);
    await harness.publish([
      scenes[1] as SceneReady,
      scenes[2] as SceneReady,
      scenes[2] as SceneReady,
      scenes[1] as SceneReady,
    ]);
    const composed = await composedEvents(jobId, { waitMs: 240_000, settleMs: 10_000 });

    expect(composed).toHaveLength(1);
    expect(composed[0]?.durationSec).toBeCloseTo(3 * 2 - 2 * 0.5, 1);
  }, 300_000);

  it('a SceneReady redriven after the job was composed changes nothing, even one that would be refused now', async () => {
    // Prepare: a composed job of two scenes.
    const jobId = ulid();
    const scenes = await Promise.all([0, 1].map((i) => harness.storedScene(jobId, i, 2)));
    await harness.publish(scenes);
    expect(await composedEvents(jobId, { waitMs: 240_000, settleMs: 0 })).toHaveLength(1);
    // Act: the same scene again, and one whose sceneCount disagrees (a poison message redriven
    // from a dead-letter queue after the job completed).
    await harness.publish([scenes[1] as SceneReady, await harness.storedScene(jobId, 1, 3)]);
    const after = await harness.outcomes(jobId, Number.POSITIVE_INFINITY, 15_000);
    // Assess: still the one VideoComposed, and no JobFailed for a job that completed.
    expect(after.map((o) => o.type)).toEqual(['VideoComposed']);
  }, 300_000);
});
