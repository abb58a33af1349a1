import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventPublisher, makeSceneReady, type SceneReady, SOURCES } from '@reelay/events';
import { runFfmpeg } from '@reelay/media';
import { ulid } from 'ulid';
import { type EmbeddedCloud, startEmbeddedCloud } from '../../../../local/cloud/src/embedded-cloud';
import { composeJob } from '../../src/composing/compose-job';
import { finalKey } from '../../src/scenes/media-files';
import { prepareScene } from '../../src/scenes/prepare-scene';
import { SceneSet } from '../../src/scenes/scene-set';

const STAGE = 'composerfail';
const format = {
  width: 320,
  height: 180,
  fps: 30,
  transition: 'crossfade',
  transitionSec: 0.5,
  captions: 'soft',
} as const;
type Observed = { type: string; detail: Record<string, unknown> };

/**
 * Invariant 2 for the composer: refused media and poison messages end in JobFailed with the
 * reason; a composer that runs out of time gives its lease back, is retried and finally
 * dead-lettered to JobFailed(stage=compose); a crash between storing and publishing yields one
 * VideoComposed. The compose function here stops ffmpeg ~0.5 s in (safety margin = its timeout).
 */
describe('the composer under failure', () => {
  let cloud: EmbeddedCloud;
  let dir: string;
  let observerUrl: string;
  const seen: Observed[] = [];

  beforeAll(async () => {
    cloud = await startEmbeddedCloud({
      stage: STAGE,
      onLog: () => undefined,
      functionEnv: { COMPOSE_SAFETY_MARGIN_MS: String(900_000 - 500) },
    });
    dir = mkdtempSync(join(tmpdir(), 'composer-failures-'));
    const { QueueUrl } = await cloud.clients.sqs.send(
      new CreateQueueCommand({ QueueName: 'observer-outcomes' }),
    );
    observerUrl = String(QueueUrl);
    await cloud.clients.events.send(
      new PutRuleCommand({
        Name: 'observe-outcomes',
        EventBusName: cloud.names.bus,
        EventPattern: JSON.stringify({ 'detail-type': ['VideoComposed', 'JobFailed'] }),
      }),
    );
    await cloud.clients.events.send(
      new PutTargetsCommand({
        Rule: 'observe-outcomes',
        EventBusName: cloud.names.bus,
        Targets: [
          { Id: 'observer', Arn: `arn:aws:sqs:${cloud.region}:${cloud.accountId}:observer-outcomes` },
        ],
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await cloud?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until `count` outcomes of the job arrived (or the wait ends) and returns them all. */
  async function outcomes(jobId: string, count: number, waitMs: number): Promise<Observed[]> {
    const until = Date.now() + waitMs;
    const mine = () => seen.filter((o) => o.detail.jobId === jobId);
    while (Date.now() < until && mine().length < count) {
      const { Messages = [] } = await cloud.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: observerUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of Messages) {
        const event = JSON.parse(m.Body ?? '{}');
        seen.push({ type: event['detail-type'], detail: event.detail });
      }
    }
    return mine();
  }

  async function storedScene(
    jobId: string,
    sceneIndex: number,
    sceneCount: number,
    body?: Buffer,
  ): Promise<SceneReady> {
    let bytes = body;
    if (!bytes) {
      const file = join(dir, `${jobId}-${sceneIndex}.mp4`);
      // biome-ignore format: ffmpeg flags and their values read as pairs
      await runFfmpeg([
        '-f', 'lavfi', '-i', `testsrc2=s=320x180:r=30:d=2,hue=h=${sceneIndex * 90}`,
        '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file,
      ], { allowLavfi: true });
      bytes = readFileSync(file);
    }
    const key = `jobs/${jobId}/scenes/${String(sceneIndex).padStart(2, '0')}-1.mp4`;
    await cloud.clients.s3.send(
      new PutObjectCommand({ Bucket: cloud.names.mediaBucket, Key: key, Body: bytes }),
    );
    return makeSceneReady({
      jobId,
      sceneIndex,
      sceneCount,
      key,
      durationSec: 2,
      width: 320,
      height: 180,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      output: format,
      caption: `scene ${sceneIndex}`,
    });
  }

  const publish = (scenes: SceneReady[]) =>
    cloud.clients.events.send(
      new PutEventsCommand({
        Entries: scenes.map((s) => ({
          EventBusName: cloud.names.bus,
          Source: 'reelay.generator',
          DetailType: 'SceneReady',
          Detail: JSON.stringify(s),
        })),
      }),
    );

  it('a sceneCount that disagrees with the job is a poison message that ends in JobFailed(prepare) with the reason', async () => {
    // Prepare
    const jobId = ulid();
    await publish([await storedScene(jobId, 0, 2)]);
    const scenes = new SceneSet(
      DynamoDBDocumentClient.from(cloud.clients.dynamodb),
      `reelay-composer-${STAGE}`,
    );
    for (let until = Date.now() + 150_000; Date.now() < until; ) {
      if ((await scenes.get(jobId))?.prepared.has(0)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Act: the next scene says the job has three scenes.
    await publish([await storedScene(jobId, 1, 3)]);
    const [failed, ...more] = await outcomes(jobId, 1, 60_000);
    // Assess
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
      const [failed] = await outcomes(jobId, 1, 60_000);
      // Assess
      expect(failed).toMatchObject({
        type: 'JobFailed',
        detail: { stage: 'prepare', code: 'MEDIA_REJECTED' },
      });
      expect(String(failed?.detail.reason)).toMatch(reason);
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
      cloud.clients.s3.send(new HeadObjectCommand({ Bucket: cloud.names.mediaBucket, Key: finalKey(jobId) }));
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
    const events = await outcomes(jobId, 2, 8_000);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'VideoComposed',
      detail: { sha256: stored.Metadata?.sha256, captionsKey: `jobs/${jobId}/captions.vtt` },
    });
  }, 120_000);
});
