import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { makeSceneReady, type SceneReady } from '@reelay/events';
import { ulid } from 'ulid';
import { type EmbeddedCloud, startEmbeddedCloud } from '../../../../local/cloud/src/embedded-cloud';

/** Invariant 1: one composed video per job, whatever SceneReady duplicates or races arrive. */
describe('composition happens once per job', () => {
  let cloud: EmbeddedCloud;
  let dir: string;
  let observerUrl: string;

  beforeAll(async () => {
    cloud = await startEmbeddedCloud({ stage: 'composeonce', onLog: () => undefined });
    dir = mkdtempSync(join(tmpdir(), 'compose-once-'));
    const { QueueUrl } = await cloud.clients.sqs.send(
      new CreateQueueCommand({ QueueName: 'observer-video-composed' }),
    );
    observerUrl = String(QueueUrl);
    await cloud.clients.events.send(
      new PutRuleCommand({
        Name: 'observe-video-composed',
        EventBusName: cloud.names.bus,
        EventPattern: JSON.stringify({ 'detail-type': ['VideoComposed'] }),
      }),
    );
    await cloud.clients.events.send(
      new PutTargetsCommand({
        Rule: 'observe-video-composed',
        EventBusName: cloud.names.bus,
        Targets: [
          { Id: 'observer', Arn: `arn:aws:sqs:${cloud.region}:${cloud.accountId}:observer-video-composed` },
        ],
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await cloud?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function storedScene(
    jobId: string,
    sceneIndex: number,
    sceneCount: number,
    hue: number,
  ): Promise<SceneReady> {
    const file = join(dir, `${jobId}-${sceneIndex}.mp4`);
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=s=320x180:r=30:d=2,hue=h=${hue}`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-y',
      file,
    ]);
    const body = readFileSync(file);
    const key = `jobs/${jobId}/scenes/${String(sceneIndex).padStart(2, '0')}-1.mp4`;
    await cloud.clients.s3.send(
      new PutObjectCommand({ Bucket: cloud.names.mediaBucket, Key: key, Body: body }),
    );
    return makeSceneReady({
      jobId,
      sceneIndex,
      sceneCount,
      key,
      durationSec: 2,
      width: 320,
      height: 180,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      output: {
        width: 320,
        height: 180,
        fps: 30,
        transition: 'crossfade',
        transitionSec: 0.5,
        captions: 'soft',
      },
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

  /**
   * VideoComposed events of the job: listens until `atLeast` arrived (or `waitMs` passed), then
   * `settleMs` longer, so a second composition racing the first is seen too. The wait is a bound
   * for a loaded machine, not a speed check.
   */
  async function composedEvents(
    jobId: string,
    { atLeast, waitMs, settleMs }: { atLeast: number; waitMs: number; settleMs: number },
  ): Promise<Array<{ durationSec: number }>> {
    const found: Array<{ durationSec: number }> = [];
    let until = Date.now() + waitMs;
    let settling = false;
    while (Date.now() < until) {
      const { Messages = [] } = await cloud.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: observerUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of Messages) {
        const event = JSON.parse(m.Body ?? '{}');
        if (event.detail.jobId === jobId) found.push(event.detail);
      }
      if (!settling && found.length >= atLeast) {
        settling = true;
        until = Date.now() + settleMs;
      }
    }
    return found;
  }

  it('a duplicate SceneReady does not complete the set; the last scene composes once', async () => {
    const jobId = ulid();
    const first = await storedScene(jobId, 0, 2, 0);
    const second = await storedScene(jobId, 1, 2, 120);

    await publish([first, first]);
    const early = await composedEvents(jobId, { atLeast: 1, waitMs: 8_000, settleMs: 0 });
    await publish([second, second, first]);
    const composed = await composedEvents(jobId, { atLeast: 1, waitMs: 240_000, settleMs: 10_000 });

    expect(early).toHaveLength(0);
    expect(composed).toHaveLength(1);
    expect(composed[0]?.durationSec).toBeCloseTo(2 + 2 - 0.5, 1);
  }, 300_000);

  it('the last two scenes arriving at once compose once', async () => {
    const jobId = ulid();
    const scenes = await Promise.all([0, 1, 2].map((i) => storedScene(jobId, i, 3, i * 90)));

    await publish([scenes[0] as SceneReady]);
    await publish([
      scenes[1] as SceneReady,
      scenes[2] as SceneReady,
      scenes[2] as SceneReady,
      scenes[1] as SceneReady,
    ]);
    const composed = await composedEvents(jobId, { atLeast: 1, waitMs: 240_000, settleMs: 10_000 });

    expect(composed).toHaveLength(1);
    expect(composed[0]?.durationSec).toBeCloseTo(3 * 2 - 2 * 0.5, 1);
  }, 300_000);
});
