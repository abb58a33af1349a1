import { appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type JobFailed, makeScenePlanned, type ScenePlanned, type SceneReady } from '@reelay/events';
import { type EmbeddedCloud, startEmbeddedCloud } from '../../../../local/cloud/src/embedded-cloud';
import { cloudAtRest } from '../../../../test/support/cloud-at-rest';
import { TEST_STAGE } from '../../../../test/support/test-stage';

/** The embedded cloud the RenderScene suites share (render-scene.test.ts), with its bus observer and logs. */
export interface RenderCloud {
  cloud: EmbeddedCloud;
  bus: BusObserver;
  /** Every function log line, as `<function> <line>`. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * One embedded cloud for every RenderScene case (model faults, claims, webhooks): a cloud start and
 * its functions' cold starts cost more than most of the cases. A lost webhook is made up for by
 * AwaitPrediction's check after WEBHOOK_WAIT_SEC (300 s in the cloud, 10 s locally), 10 s here
 * too: at 3 s a render slowed by a loaded machine (CI, load 12) outlasted the wait, so the task
 * timed out and was entered again before the webhook came, which the fast-path case counts.
 * Every function's log of the last run is also in $TMPDIR/reelay-render-scene.log, for whoever has
 * to find out why a case failed.
 */
export async function startRenderCloud(): Promise<RenderCloud> {
  const logs: string[] = [];
  const logFile = join(tmpdir(), 'reelay-render-scene.log');
  writeFileSync(logFile, '');
  const cloud = await startEmbeddedCloud({
    stage: TEST_STAGE,
    onLog: (fn, line) => {
      logs.push(`${fn} ${line}`);
      appendFileSync(logFile, `${fn} ${line}\n`);
    },
    functionEnv: { POLL_INTERVAL_SEC: '1', WEBHOOK_WAIT_SEC: '10' },
  });
  const bus = await observeBus(cloud);
  return {
    cloud,
    bus,
    logs,
    async close() {
      await bus.stop();
      await cloud.close();
    },
  };
}

export interface ObservedEvent {
  detailType: string;
  detail: { jobId: string } & Record<string, unknown>;
}

/** Collects every SceneReady, JobFailed and VideoComposed on the bus, through a queue of its own. */
export async function observeBus(cloud: EmbeddedCloud) {
  const name = 'observer-generator-faults';
  const { QueueUrl } = await cloud.clients.sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '5' } }),
  );
  await cloud.clients.events.send(
    new PutRuleCommand({
      Name: name,
      EventBusName: cloud.names.bus,
      EventPattern: JSON.stringify({ 'detail-type': ['SceneReady', 'JobFailed', 'VideoComposed'] }),
    }),
  );
  await cloud.clients.events.send(
    new PutTargetsCommand({
      Rule: name,
      EventBusName: cloud.names.bus,
      Targets: [{ Id: 'observer', Arn: `arn:aws:sqs:${cloud.region}:${cloud.accountId}:${name}` }],
    }),
  );
  const seen: ObservedEvent[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      // A reset or hung connection to the emulator must not end the observation; a lost receive
      // comes back after the queue's short visibility timeout.
      const { Messages = [] } = await cloud.clients.sqs
        .send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }), {
          abortSignal: AbortSignal.timeout(10_000),
        })
        .catch(async () => {
          await sleep(200);
          return { Messages: [] };
        });
      for (const m of Messages) {
        const event = JSON.parse(m.Body ?? '{}');
        seen.push({ detailType: event['detail-type'], detail: event.detail });
      }
      if (Messages.length)
        await cloud.clients.sqs
          .send(
            new DeleteMessageBatchCommand({
              QueueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          )
          .catch(() => undefined);
    }
  })();
  const of = (jobId: string, detailType: string) =>
    seen.filter((e) => e.detail.jobId === jobId && e.detailType === detailType);
  return {
    sceneReady: (jobId: string) => of(jobId, 'SceneReady').map((e) => e.detail as unknown as SceneReady),
    jobFailed: (jobId: string) => of(jobId, 'JobFailed').map((e) => e.detail as unknown as JobFailed),
    videoComposed: (jobId: string) => of(jobId, 'VideoComposed'),
    /**
     * Waits for the cloud to come to rest and for this observer to have taken in all it was sent:
     * whatever the job would still announce (a duplicate SceneReady, a late JobFailed) is then seen.
     */
    async atRest(what: string) {
      await cloudAtRest(cloud, { what });
      await eventually(
        `the bus observer to take in what it was sent (${what})`,
        () => cloud.emulator.sqs.peekMessages(name).length === 0,
        30_000,
      );
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}

export type BusObserver = Awaited<ReturnType<typeof observeBus>>;

/** Polls until `check` returns a value (not undefined/false), or fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 150_000,
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small, quick video scene (Replicate's default video model) whose prompt carries `marker`, so faults can match it. */
export function quickScene(marker: string, overrides: Partial<ScenePlanned> = {}): ScenePlanned {
  return makeScenePlanned({
    prompt: `a paper boat on a pond ${marker}`,
    durationSec: 1,
    model: 'wan-video/wan-2.2-t2v-fast',
    output: { width: 320, height: 180, fps: 12, transition: 'cut', transitionSec: 0, captions: 'off' },
    ...overrides,
  });
}

export async function publishScenes(cloud: EmbeddedCloud, scenes: ScenePlanned[]) {
  await cloud.clients.events.send(
    new PutEventsCommand({
      Entries: scenes.map((scene) => ({
        EventBusName: cloud.names.bus,
        Source: 'reelay.generator',
        DetailType: 'ScenePlanned',
        Detail: JSON.stringify(scene),
      })),
    }),
  );
}

export async function publishJobFailed(cloud: EmbeddedCloud, failure: JobFailed) {
  await cloud.clients.events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: cloud.names.bus,
          Source: 'reelay.api',
          DetailType: 'JobFailed',
          Detail: JSON.stringify(failure),
        },
      ],
    }),
  );
}

/** The RenderScene executions of a job, once none of them is running any more. */
export async function settledExecutions(cloud: EmbeddedCloud, jobId: string) {
  const stateMachineArn = `arn:aws:states:${cloud.region}:${cloud.accountId}:stateMachine:reelay-${cloud.stage}-render-scene`;
  return eventually(`the executions of ${jobId} to end`, async () => {
    const { executions = [] } = await cloud.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    const ours = executions.filter((e) => e.name?.startsWith(`${jobId}-`));
    return ours.length > 0 && ours.every((e) => e.status !== 'RUNNING') ? ours : undefined;
  });
}

/** The local model server's predictions for prompts carrying `marker`. */
export const predictionsFor = (cloud: EmbeddedCloud, marker: string) =>
  cloud.models.predictions().filter((p) => JSON.stringify(p.input).includes(marker));
