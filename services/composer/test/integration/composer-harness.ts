import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { makeSceneReady, type SceneReady } from '@reelay/events';
import { runFfmpeg } from '@reelay/media';
import {
  type EmbeddedCloud,
  type EmbeddedCloudOptions,
  startEmbeddedCloud,
} from '../../../../local/cloud/src/embedded-cloud';
import { cloudAtRest } from '../../../../test/support/cloud-at-rest';

export const format = {
  width: 320,
  height: 180,
  fps: 30,
  transition: 'crossfade',
  transitionSec: 0.5,
  captions: 'soft',
} as const;
export type Observed = { type: string; detail: Record<string, unknown> };

export interface ComposerHarness {
  cloud: EmbeddedCloud;
  /**
   * Waits for the job's first outcome (VideoComposed or JobFailed; failing after `firstWithinMs`),
   * then for the cloud to come to rest, and returns every outcome of the job: a duplicate or a
   * second, contradicting outcome would be among them.
   */
  outcomes(jobId: string, firstWithinMs: number): Promise<Observed[]>;
  /** Waits for the cloud to come to rest, then returns every outcome of the job published so far. */
  outcomesAtRest(jobId: string): Promise<Observed[]>;
  /** Waits for the cloud to have nothing left to do (test/support/cloud-at-rest.ts). */
  atRest(what: string): Promise<void>;
  /** Stores a 2 s scene clip (generated unless `body` is given) and returns its SceneReady. */
  storedScene(jobId: string, sceneIndex: number, sceneCount: number, body?: Buffer): Promise<SceneReady>;
  /** Publishes SceneReady events as the generator would. */
  publish(scenes: SceneReady[]): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * An embedded cloud with every service deployed and an observer queue on the job outcomes, for
 * composer tests that feed it scenes and watch what it publishes.
 */
export async function startComposerHarness(options: {
  stage: string;
  functionEnv?: Record<string, string>;
  transformTemplate?: EmbeddedCloudOptions['transformTemplate'];
}): Promise<ComposerHarness> {
  const cloud = await startEmbeddedCloud({
    stage: options.stage,
    onLog: () => undefined,
    ...(options.functionEnv ? { functionEnv: options.functionEnv } : {}),
    ...(options.transformTemplate ? { transformTemplate: options.transformTemplate } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), `${options.stage}-`));
  const { QueueUrl } = await cloud.clients.sqs.send(
    new CreateQueueCommand({ QueueName: 'observer-outcomes' }),
  );
  const observerUrl = String(QueueUrl);
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
      Targets: [{ Id: 'observer', Arn: `arn:aws:sqs:${cloud.region}:${cloud.accountId}:observer-outcomes` }],
    }),
  );
  const seen: Observed[] = [];
  const mine = (jobId: string) => seen.filter((o) => o.detail.jobId === jobId);
  /** Moves what the observer queue holds into `seen` (deleted, so nothing is counted twice). */
  const receive = async (waitTimeSeconds: number): Promise<number> => {
    const { Messages = [] } = await cloud.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: observerUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitTimeSeconds,
      }),
    );
    for (const m of Messages) {
      const event = JSON.parse(m.Body ?? '{}');
      seen.push({ type: event['detail-type'], detail: event.detail });
    }
    if (Messages.length > 0) {
      await cloud.clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: observerUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return Messages.length;
  };
  const atRest = (what: string) => cloudAtRest(cloud, { what });
  const outcomesAtRest = async (jobId: string) => {
    await atRest(`the outcomes of job ${jobId}`);
    // At rest every event put on the bus has reached the observer queue: take all of it.
    while ((await receive(0)) > 0) {}
    return mine(jobId);
  };

  return {
    cloud,
    atRest,
    outcomesAtRest,
    async outcomes(jobId, firstWithinMs) {
      const until = Date.now() + firstWithinMs;
      while (mine(jobId).length === 0) {
        if (Date.now() > until)
          throw new Error(
            `no outcome (VideoComposed or JobFailed) of job ${jobId} within ${firstWithinMs / 1000} s`,
          );
        await receive(1);
      }
      return outcomesAtRest(jobId);
    },
    async storedScene(jobId, sceneIndex, sceneCount, body) {
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
      const key = `intermediates/${jobId}/scenes/${String(sceneIndex).padStart(2, '0')}-1.mp4`;
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
    },
    publish: (scenes) =>
      cloud.clients.events.send(
        new PutEventsCommand({
          Entries: scenes.map((s) => ({
            EventBusName: cloud.names.bus,
            Source: 'reelay.generator',
            DetailType: 'SceneReady',
            Detail: JSON.stringify(s),
          })),
        }),
      ),
    async close() {
      await cloud.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
