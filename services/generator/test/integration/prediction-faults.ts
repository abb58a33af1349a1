import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { makeJobFailed } from '@reelay/events';
import type { EmbeddedCloud } from '../../../../local/cloud/src/embedded-cloud';
import { TEST_STAGE } from '../../../../test/support/test-stage';
import {
  type BusObserver,
  eventually,
  predictionsFor,
  publishJobFailed,
  publishScenes,
  quickScene,
  type RenderCloud,
  settledExecutions,
} from './render-harness';

/**
 * Model faults against the expected outcome: retries, expiry, SSRF refusals, throttling, cancellation.
 * Run by render-scene.test.ts on the cloud it shares with webhooks-and-claims.ts.
 */
export const modelFaultTests = (shared: () => RenderCloud) =>
  describe('RenderScene under model faults', () => {
    let cloud: EmbeddedCloud;
    let bus: BusObserver;
    let logs: string[];

    beforeAll(() => {
      ({ cloud, bus, logs } = shared());
    });

    const renderScene = `arn:aws:states:us-east-1:000000000000:stateMachine:reelay-${TEST_STAGE}-render-scene`;
    const firstSceneReady = (jobId: string) =>
      eventually(`SceneReady of ${jobId}`, () => {
        const failed = bus.jobFailed(jobId)[0];
        if (failed)
          throw new Error(`job failed: ${failed.code} ${failed.reason}\n${logs.slice(-30).join('\n')}`);
        return bus.sceneReady(jobId)[0];
      });
    const firstJobFailed = (jobId: string) =>
      eventually(`JobFailed of ${jobId}`, () => {
        if (bus.sceneReady(jobId).length) throw new Error(`scene of ${jobId} was announced`);
        return bus.jobFailed(jobId)[0];
      });

    it('a prediction that failed is retried as a new attempt, and both predictions are charged', async () => {
      const scene = quickScene('fail-then-succeed');
      cloud.models.faults.add({ kind: 'fail-prediction', match: { promptIncludes: 'fail-then-succeed' } });

      await publishScenes(cloud, [scene]);
      const ready = await firstSceneReady(scene.jobId);

      const predictions = predictionsFor(cloud, 'fail-then-succeed');
      expect(predictions.map((p) => p.status)).toEqual(['failed', 'succeeded']);
      expect(ready.attempt).toBe(2);
      expect(ready.predictionId).toBe(predictions[1]?.id);
      expect(ready.predictions).toEqual([
        { predictionId: predictions[0]?.id, attempt: 1, status: 'failed', costUsd: expect.any(Number) },
        { predictionId: predictions[1]?.id, attempt: 2, status: 'succeeded', costUsd: expect.any(Number) },
      ]);
      expect(ready.costUsd).toBeCloseTo(
        ready.predictions.reduce((sum, p) => sum + p.costUsd, 0),
        6,
      );
    }, 200_000);

    it('an expired output is rendered once more, and the announced key exists', async () => {
      const scene = quickScene('expire-once');
      cloud.models.faults.add({ kind: 'expire-output', match: { promptIncludes: 'expire-once' } });

      await publishScenes(cloud, [scene]);
      const ready = await firstSceneReady(scene.jobId);

      expect(predictionsFor(cloud, 'expire-once')).toHaveLength(2);
      expect(ready.attempt).toBe(2);
      const head = await cloud.clients.s3.send(
        new HeadObjectCommand({ Bucket: cloud.names.mediaBucket, Key: ready.key }),
      );
      expect(head.ContentLength).toBe(ready.bytes);
      expect(ready.predictions.map((p) => p.status)).toEqual(['succeeded', 'succeeded']);
    }, 200_000);

    it('an output that expires on every attempt fails the job with OUTPUT_EXPIRED, never a SceneReady', async () => {
      const scene = quickScene('expire-always');
      cloud.models.faults.add({
        kind: 'expire-output',
        times: 5,
        match: { promptIncludes: 'expire-always' },
      });

      await publishScenes(cloud, [scene]);
      const failed = await firstJobFailed(scene.jobId);
      await bus.atRest(`after the JobFailed of ${scene.jobId}`);

      expect(failed).toMatchObject({ stage: 'render', code: 'OUTPUT_EXPIRED', sceneIndex: 0 });
      expect(failed.predictions).toHaveLength(2);
      expect(bus.sceneReady(scene.jobId)).toEqual([]);
    }, 200_000);

    it('an output URL on another host is refused and the job fails with the reason', async () => {
      const scene = quickScene('foreign-host');
      cloud.models.faults.add({ kind: 'foreign-host-output', match: { promptIncludes: 'foreign-host' } });

      await publishScenes(cloud, [scene]);
      const failed = await firstJobFailed(scene.jobId);

      expect(failed).toMatchObject({ stage: 'render', code: 'MODEL_OUTPUT_REJECTED' });
      expect(failed.reason).toMatch(/127\.0\.0\.2/);
      expect(bus.sceneReady(scene.jobId)).toEqual([]);
    }, 200_000);

    it('a 429 storm creates no extra predictions and the job still completes', async () => {
      const scenes = [0, 1].map((sceneIndex) => quickScene('throttle-storm', { sceneIndex, sceneCount: 2 }));
      const jobId = scenes[0]?.jobId ?? '';
      const twoScenes = scenes.map((s) => ({ ...s, jobId }));
      cloud.models.faults.add({
        kind: 'rate-limit',
        retryAfterSec: 1,
        times: 6,
        match: { promptIncludes: 'throttle-storm' },
      });

      await publishScenes(cloud, twoScenes);
      await eventually(
        'VideoComposed after the storm',
        () => {
          const failed = bus.jobFailed(jobId)[0];
          if (failed) throw new Error(`job failed: ${failed.code} ${failed.reason}`);
          return bus.videoComposed(jobId)[0];
        },
        150_000,
      );

      expect(cloud.models.faults.pending().filter((f) => f.fault.kind === 'rate-limit')).toEqual([]);
      expect(predictionsFor(cloud, 'throttle-storm').length).toBeLessThanOrEqual(2);
      // Each 429 was waited out in the workflow (Retry-After plus jitter), not retried in the Lambda.
      const waits: number[] = [];
      for (const execution of await settledExecutions(cloud, jobId)) {
        const { events = [] } = await cloud.clients.sfn.send(
          new GetExecutionHistoryCommand({ executionArn: execution.executionArn }),
        );
        for (const event of events)
          if (event.stateEnteredEventDetails?.name === 'WaitBeforeCreate')
            waits.push(JSON.parse(event.stateEnteredEventDetails.input ?? '{}').prediction.pollAfterSec);
      }
      expect(waits).toHaveLength(6);
      expect(waits.every((seconds) => seconds >= 1)).toBe(true);
      expect(bus.sceneReady(jobId)).toHaveLength(2);
    }, 300_000);

    it('a cancel while scenes render stops them, cancels their predictions and announces nothing', async () => {
      const scenes = [0, 1].map((sceneIndex) => quickScene('cancel-midway', { sceneIndex, sceneCount: 2 }));
      const jobId = scenes[0]?.jobId ?? '';
      const twoScenes = scenes.map((s) => ({ ...s, jobId }));
      cloud.models.faults.add({
        kind: 'slow',
        delayMs: 30_000,
        times: 2,
        match: { promptIncludes: 'cancel-midway' },
      });

      await publishScenes(cloud, twoScenes);
      await eventually('both predictions created', () => predictionsFor(cloud, 'cancel-midway').length === 2);
      await publishJobFailed(
        cloud,
        makeJobFailed({ jobId, stage: 'cancel', code: 'CANCELLED', reason: 'cancelled by the user' }),
      );

      await eventually('predictions cancelled', () =>
        predictionsFor(cloud, 'cancel-midway').every((p) => p.status === 'canceled' && p.cancelled),
      );
      await eventually('executions stopped', async () => {
        const { executions = [] } = await cloud.clients.sfn.send(
          new ListExecutionsCommand({ stateMachineArn: renderScene }),
        );
        const ours = executions.filter((e) => e.name?.startsWith(`${jobId}-`));
        return ours.length === 2 && ours.every((e) => e.status === 'ABORTED');
      });
      // A task already running when its execution stopped runs to its end: look once all is done.
      await bus.atRest(`after the cancel of ${jobId}`);
      expect(bus.sceneReady(jobId)).toEqual([]);
      expect(bus.videoComposed(jobId)).toEqual([]);
      // The cancel itself is the only JobFailed: a stopped scene is not reported again.
      expect(bus.jobFailed(jobId).map((f) => f.stage)).toEqual(['cancel']);
    }, 200_000);
  });
