import type { SceneReady } from '@reelay/events';
import { ulid } from 'ulid';
import type { ComposerHarness } from './composer-harness';

/**
 * Invariant 1: one composed video per job, whatever SceneReady duplicates or races arrive. Run by
 * composer-invariants.test.ts on the cloud it shares with composer-failures.ts.
 */
export const composeOnceTests = (shared: () => ComposerHarness) =>
  describe('composition happens once per job', () => {
    let harness: ComposerHarness;

    beforeAll(() => {
      harness = shared();
    });

    /**
     * VideoComposed events of the job once the cloud is at rest (after its first outcome when
     * `firstWithinMs` is given), so a second composition racing the first is seen too.
     */
    async function composedEvents(
      jobId: string,
      firstWithinMs?: number,
    ): Promise<Array<{ durationSec: number }>> {
      const outcomes =
        firstWithinMs === undefined
          ? await harness.outcomesAtRest(jobId)
          : await harness.outcomes(jobId, firstWithinMs);
      return outcomes
        .filter((o) => o.type === 'VideoComposed')
        .map((o) => o.detail as { durationSec: number });
    }

    it('a duplicate SceneReady does not complete the set; the last scene composes once', async () => {
      const jobId = ulid();
      const first = await harness.storedScene(jobId, 0, 2);
      const second = await harness.storedScene(jobId, 1, 2);

      await harness.publish([first, first]);
      const early = await composedEvents(jobId);
      await harness.publish([second, second, first]);
      const composed = await composedEvents(jobId, 240_000);

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
      const composed = await composedEvents(jobId, 240_000);

      expect(composed).toHaveLength(1);
      expect(composed[0]?.durationSec).toBeCloseTo(3 * 2 - 2 * 0.5, 1);
    }, 300_000);

    it('a SceneReady redriven after the job was composed changes nothing, even one that would be refused now', async () => {
      // Prepare: a composed job of two scenes.
      const jobId = ulid();
      const scenes = await Promise.all([0, 1].map((i) => harness.storedScene(jobId, i, 2)));
      await harness.publish(scenes);
      expect(await composedEvents(jobId, 240_000)).toHaveLength(1);
      // Act: the same scene again, and one whose sceneCount disagrees (a poison message redriven
      // from a dead-letter queue after the job completed).
      await harness.publish([scenes[1] as SceneReady, await harness.storedScene(jobId, 1, 3)]);
      const after = await harness.outcomesAtRest(jobId);
      // Assess: still the one VideoComposed, and no JobFailed for a job that completed.
      expect(after.map((o) => o.type)).toEqual(['VideoComposed']);
    }, 300_000);
  });
