import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { EmbeddedCloud } from '../../../../local/cloud/src/embedded-cloud';
import {
  type BusObserver,
  eventually,
  predictionsFor,
  publishScenes,
  quickScene,
  type RenderCloud,
  settledExecutions,
} from './render-harness';

/**
 * Invariant 5 (at most one prediction per scene attempt) and the webhook fast path, against the
 * embedded cloud and the local Replicate-compatible server with its faults. Run by
 * render-scene.test.ts on the cloud it shares with prediction-faults.ts.
 */
export const claimAndWebhookTests = (shared: () => RenderCloud) =>
  describe('RenderScene claims and Replicate webhooks', () => {
    let cloud: EmbeddedCloud;
    let bus: BusObserver;
    let logs: string[];

    beforeAll(() => {
      ({ cloud, bus, logs } = shared());
    });

    const fn = (name: string) => `reelay-generator-${cloud.stage}-${name}`;
    /** How often the execution entered each state, from its history. */
    const statesEntered = async (executionArn: string) => {
      const { events = [] } = await cloud.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
      const counts: Record<string, number> = {};
      for (const event of events) {
        const name = event.stateEnteredEventDetails?.name;
        if (name) counts[name] = (counts[name] ?? 0) + 1;
      }
      return counts;
    };
    const sceneReadyOnce = async (jobId: string) => {
      const [ready] = await eventually(`SceneReady of ${jobId}`, () => {
        // The scene first: a one-scene narration job then fails in compose (no picture to compose),
        // and on a fast machine that JobFailed is on the bus by the time this looks.
        const found = bus.sceneReady(jobId);
        if (found.length) return found;
        const failed = bus.jobFailed(jobId)[0];
        if (failed)
          throw new Error(`job failed: ${failed.code} ${failed.reason}\n${logs.slice(-30).join('\n')}`);
        return undefined;
      });
      // Anything announced twice is on the bus by the time nothing is left to do.
      await bus.atRest(`after the SceneReady of ${jobId}`);
      return { ready, all: bus.sceneReady(jobId) };
    };

    it('a duplicated ScenePlanned starts one execution and pays for one prediction', async () => {
      const scene = quickScene('dup-planned');

      await publishScenes(cloud, [scene, scene]);
      await publishScenes(cloud, [scene]);
      const { all } = await sceneReadyOnce(scene.jobId);

      expect(await settledExecutions(cloud, scene.jobId)).toHaveLength(1);
      expect(predictionsFor(cloud, 'dup-planned')).toHaveLength(1);
      expect(all).toHaveLength(1);
    }, 200_000);

    it('a crash after the create call, before the id is recorded, creates no second prediction', async () => {
      const scene = quickScene('crash-after-create');
      const crash = cloud.chaos.crash({
        functionName: fn('createPrediction'),
        at: 'after:replicate:CreatePrediction',
      });

      await publishScenes(cloud, [scene]);
      const { ready, all } = await sceneReadyOnce(scene.jobId);
      // The webhook may announce the scene before the retried task runs: count once the execution ended.
      const [execution] = await settledExecutions(cloud, scene.jobId);

      expect(execution?.status).toBe('SUCCEEDED');
      expect(crash.injected()).toBe(1);
      const predictions = predictionsFor(cloud, 'crash-after-create');
      expect(predictions).toHaveLength(1);
      expect(ready?.predictionId).toBe(predictions[0]?.id);
      expect(all).toHaveLength(1);
    }, 200_000);

    it('a narration whose every render task crashes once at its DynamoDB write still renders once', async () => {
      // The soak's long story lost a narration scene to one such crash (RENDER_FAILED ChaosCrashError).
      const scene = quickScene('crash-every-write', {
        kind: 'narration',
        model: 'minimax/speech-02-hd',
        narration: 'Chiếc thuyền giấy trôi trên mặt hồ crash-every-write.',
      });
      const crashes = ['createPrediction', 'checkPrediction', 'storeScene', 'replicateWebhook'].map((name) =>
        cloud.chaos.crash({ functionName: fn(name), at: 'before:dynamodb:UpdateItem', times: 1 }),
      );

      await publishScenes(cloud, [scene]);
      const { all } = await sceneReadyOnce(scene.jobId);
      const [execution] = await settledExecutions(cloud, scene.jobId);

      expect(execution?.status).toBe('SUCCEEDED');
      expect(crashes.map((c) => c.injected())).toEqual([1, 1, 1, 1]);
      expect(predictionsFor(cloud, 'crash-every-write')).toHaveLength(1);
      expect(all).toHaveLength(1);
    }, 200_000);

    it('a lost webhook is made up for by the waiting task timing out and checking the prediction', async () => {
      const scene = quickScene('lost-webhook');
      cloud.models.faults.add({ kind: 'drop-webhook', match: { promptIncludes: 'lost-webhook' } });

      await publishScenes(cloud, [scene]);
      const { ready, all } = await sceneReadyOnce(scene.jobId);
      const [execution] = await settledExecutions(cloud, scene.jobId);

      const [prediction] = predictionsFor(cloud, 'lost-webhook');
      expect(prediction?.faults).toContain('drop-webhook');
      expect(prediction?.webhookAttempts).toEqual([]);
      expect(ready?.predictionId).toBe(prediction?.id);
      expect(all).toHaveLength(1);
      expect(execution?.status).toBe('SUCCEEDED');
    }, 200_000);

    it('a verified webhook completes the waiting task: the scene is stored once, without a poll loop', async () => {
      const scene = quickScene('fast-path');

      await publishScenes(cloud, [scene]);
      const { ready, all } = await sceneReadyOnce(scene.jobId);
      await cloud.models.webhooksSettled();
      const [execution] = await settledExecutions(cloud, scene.jobId);

      const [prediction] = predictionsFor(cloud, 'fast-path');
      const completed = prediction?.webhookAttempts.filter((a) => a.event === 'completed') ?? [];
      expect(completed.map((a) => a.outcome)).toEqual([204]);
      // The webhook (or the task's one check, had the prediction ended first) completed the task:
      // one AwaitPrediction, one store, no Wait state between checks.
      expect(await statesEntered(String(execution?.executionArn))).toMatchObject({
        CreatePrediction: 1,
        AwaitPrediction: 1,
        StoreScene: 1,
      });
      expect(logs.some((l) => /"outcome":"(completed|task-closed|no-task)"/.test(l))).toBe(true);
      const doc = DynamoDBDocumentClient.from(cloud.clients.dynamodb);
      const { Item } = await doc.send(
        new GetCommand({
          TableName: `reelay-generator-${cloud.stage}`,
          Key: { pk: `WEBHOOK#${completed[0]?.webhookId}`, sk: 'DELIVERY' },
        }),
      );
      expect(Item?.predictionId).toBe(prediction?.id);
      expect(ready).toMatchObject({
        predictionId: prediction?.id,
        // What wan 2.2 t2v fast makes at 480p, 16:9 (the composer fits it to the job's frame).
        width: 832,
        height: 480,
        bytes: expect.any(Number),
      });
      expect(all).toHaveLength(1);
    }, 200_000);

    it.each([
      ['forged', 'forge-webhook' as const],
      ['stale', 'stale-webhook' as const],
    ])(
      'a %s webhook is refused with 401 and the scene still completes by polling',
      async (label, kind) => {
        const marker = `${label}-webhook`;
        const scene = quickScene(marker);
        cloud.models.faults.add({ kind, match: { promptIncludes: marker } });

        await publishScenes(cloud, [scene]);
        const { all } = await sceneReadyOnce(scene.jobId);
        await cloud.models.webhooksSettled();

        const [prediction] = predictionsFor(cloud, marker);
        const completed = prediction?.webhookAttempts.filter((a) => a.event === 'completed') ?? [];
        expect(completed.length).toBeGreaterThan(0);
        expect(new Set(completed.map((a) => a.outcome))).toEqual(new Set([401]));
        expect(all).toHaveLength(1);
      },
      120_000,
    );

    it('a duplicate webhook delivery (same webhook id) is a no-op', async () => {
      const scene = quickScene('duplicate-webhook');
      cloud.models.faults.add({ kind: 'duplicate-webhook', match: { promptIncludes: 'duplicate-webhook' } });

      await publishScenes(cloud, [scene]);
      const { all } = await sceneReadyOnce(scene.jobId);
      await cloud.models.webhooksSettled();

      const [prediction] = predictionsFor(cloud, 'duplicate-webhook');
      const completed = prediction?.webhookAttempts.filter((a) => a.event === 'completed') ?? [];
      expect(completed).toHaveLength(2);
      expect(completed[0]?.webhookId).toBe(completed[1]?.webhookId);
      expect(completed.map((a) => a.outcome)).toEqual([204, 204]);
      expect(logs.filter((l) => l.includes('"outcome":"duplicate"'))).not.toHaveLength(0);
      expect(all).toHaveLength(1);
    }, 200_000);
  });
