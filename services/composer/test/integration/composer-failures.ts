import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventPublisher, SOURCES } from '@reelay/events';
import { ulid } from 'ulid';
import type { EmbeddedCloud } from '../../../../local/cloud/src/embedded-cloud';
import { TEST_STAGE } from '../../../../test/support/test-stage';
import { composeJob } from '../../src/composing/compose-job';
import { finalKey } from '../../src/scenes/media-files';
import { prepareScene } from '../../src/scenes/prepare-scene';
import { SceneSet } from '../../src/scenes/scene-set';
import type { ComposerHarness } from './composer-harness';

const STAGE = TEST_STAGE;

/**
 * Invariant 2 for the composer: refused media and poison messages end in JobFailed with the
 * reason; a crash between storing and publishing yields one VideoComposed. (A composer that runs
 * out of time is tested in compose-timeout.test.ts, on a cloud of its own.) Run by
 * composer-invariants.test.ts on the cloud it shares with compose-once.ts.
 */
export const composerFailureTests = (shared: () => ComposerHarness) =>
  describe('the composer under failure', () => {
    let harness: ComposerHarness;
    let cloud: EmbeddedCloud;
    const outcomes: ComposerHarness['outcomes'] = (...args) => harness.outcomes(...args);
    const storedScene: ComposerHarness['storedScene'] = (...args) => harness.storedScene(...args);
    const publish: ComposerHarness['publish'] = (scenes) => harness.publish(scenes);

    beforeAll(() => {
      harness = shared();
      cloud = harness.cloud;
    });

    it('a sceneCount that disagrees with the job is a poison message that ends in JobFailed(prepare) with the reason', async () => {
      // Prepare
      const jobId = ulid();
      await publish([await storedScene(jobId, 0, 2)]);
      const scenes = new SceneSet(
        DynamoDBDocumentClient.from(cloud.clients.dynamodb),
        `reelay-composer-${STAGE}`,
      );
      await harness.atRest(`scene 0 of ${jobId} prepared`);
      expect((await scenes.get(jobId))?.prepared.has(0)).toBe(true);
      // Act: the next scene says the job has three scenes.
      await publish([await storedScene(jobId, 1, 3)]);
      const [failed, ...more] = await outcomes(jobId, 60_000);
      // Assess: that one failure, and nothing after it once the cloud is at rest.
      expect(failed).toMatchObject({
        type: 'JobFailed',
        detail: { stage: 'prepare', code: 'SCENE_COUNT_MISMATCH', sceneIndex: 1, retryable: false },
      });
      expect(String(failed?.detail.reason)).toContain('says 3 scenes, but the job has 2');
      expect(more).toHaveLength(0);
    }, 300_000);

    it.each([
      [
        'an HLS playlist renamed .mp4',
        '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n',
        /HLS\/M3U playlist/,
      ],
      ['an ffconcat list', "ffconcat version 1.0\nfile '/etc/passwd'\n", /ffmpeg concat list/],
    ])(
      'refuses %s with a clear reason: JobFailed(prepare)',
      async (_name, text, reason) => {
        // Prepare
        const jobId = ulid();
        const scene = await storedScene(jobId, 0, 1, Buffer.from(text));
        // Act
        await publish([scene]);
        const [failed, ...more] = await outcomes(jobId, 60_000);
        // Assess
        expect(failed).toMatchObject({
          type: 'JobFailed',
          detail: { stage: 'prepare', code: 'MEDIA_REJECTED' },
        });
        expect(String(failed?.detail.reason)).toMatch(reason);
        expect(more).toHaveLength(0);
      },
      120_000,
    );

    it('a crash after storing the video and before publishing yields one VideoComposed, without composing again', async () => {
      // Prepare: two scenes prepared by the real prepare step (the compose request is kept out of
      // the cloud's compose function, which is set to time out here).
      const jobId = ulid();
      const scenes = new SceneSet(
        DynamoDBDocumentClient.from(cloud.clients.dynamodb),
        `reelay-composer-${STAGE}`,
      );
      const noComposeQueue = { send: async () => ({}) } as unknown as SQSClient;
      for (const i of [0, 1]) {
        await prepareScene(await storedScene(jobId, i, 2), {
          s3: cloud.clients.s3,
          bucket: cloud.names.mediaBucket,
          sqs: noComposeQueue,
          composeQueueUrl: 'unused',
          scenes,
        });
      }
      const publisher = new EventPublisher({
        client: cloud.clients.events,
        busName: cloud.names.bus,
        source: SOURCES.composer,
      });
      const crashAfterStoring = {
        get: scenes.get.bind(scenes),
        claimLease: scenes.claimLease.bind(scenes),
        renewLease: scenes.renewLease.bind(scenes),
        recordPublished: scenes.recordPublished.bind(scenes),
        releaseLease: async () => undefined, // a crashed sandbox gives nothing back
        recordComposed: async () => {
          throw new Error('sandbox killed');
        },
      };
      const deps = { s3: cloud.clients.s3, bucket: cloud.names.mediaBucket, publisher, leaseMs: 60_000 };
      await expect(composeJob(jobId, { ...deps, scenes: crashAfterStoring, owner: 'first' })).rejects.toThrow(
        'sandbox killed',
      );
      const head = () =>
        cloud.clients.s3.send(
          new HeadObjectCommand({ Bucket: cloud.names.mediaBucket, Key: finalKey(jobId) }),
        );
      const stored = await head();
      // Act: the redelivery, after the dead composer's lease has expired.
      const outcome = await composeJob(jobId, {
        ...deps,
        scenes,
        owner: 'second',
        now: () => Date.now() + 61_000,
      });
      const again = await composeJob(jobId, {
        ...deps,
        scenes,
        owner: 'third',
        now: () => Date.now() + 122_000,
      });
      // Assess
      expect(outcome).toBe('recovered');
      expect(again).toBe('already-published');
      expect((await head()).ETag).toBe(stored.ETag);
      const events = await outcomes(jobId, 60_000);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'VideoComposed',
        detail: { sha256: stored.Metadata?.sha256, captionsKey: `jobs/${jobId}/captions.vtt` },
      });
    }, 120_000);
  });
