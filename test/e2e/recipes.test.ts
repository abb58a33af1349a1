import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type ReceiveMessageCommandOutput,
} from '@aws-sdk/client-sqs';
import {
  type JobRequested,
  type JobSpecInput,
  makeJobRequested,
  type ScenePlanned,
  type SceneReady,
} from '@reelay/events';
import { ulid } from 'ulid';
import { type EmbeddedCloud, REPO_ROOT, startEmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import { TEST_STAGE } from '../support/test-stage';

interface Observed {
  planned: ScenePlanned[];
  ready: SceneReady[];
  failed: Array<{ stage: string; code: string; reason: string }>;
}

/**
 * Jest's limit for one recipe's test. The jobs run side by side (it.concurrent: each test's job is its
 * own, the observer files every event under its jobId), so a test's job shares the machine with the
 * others' and takes longer than alone, while the suite takes far less than the jobs one after another.
 */
const JOB_TEST_MS = 600_000;

/** Every recipe, run on the embedded cloud: the plan it makes and the scene kinds that arrive. */
describe('every recipe plans its scenes and delivers each of them', () => {
  let cloud: EmbeddedCloud;
  let dir: string;
  let observerUrl: string;
  const seen = new Map<string, Observed>();
  const logs: string[] = [];
  const userId = 'recipe-user';
  const tiny = { resolution: '480p', secondsPerScene: 1 } as const;

  beforeAll(async () => {
    const logFile = join(REPO_ROOT, '.reelay', 'logs', 'recipes.log');
    mkdirSync(dirname(logFile), { recursive: true });
    cloud = await startEmbeddedCloud({
      stage: TEST_STAGE,
      onLog: (fn, line) => {
        logs.push(`${fn} ${line}`);
        appendFileSync(logFile, `${fn} ${line}\n`);
      },
    });
    // What this suite checks ends at SceneReady: the composer's share of the jobs (normalizing each
    // scene, composing the video) is held back, so the machine's two cores go to the jobs under test.
    // Every recipe's job is run to its video in test/e2e/replicate-contract.test.ts.
    cloud.chaos.hold({ queue: /^reelay-[a-z0-9]+-composer-/ });
    dir = mkdtempSync(join(tmpdir(), 'recipes-'));
    const { QueueUrl } = await cloud.clients.sqs.send(
      new CreateQueueCommand({ QueueName: 'observer-recipes' }),
    );
    observerUrl = String(QueueUrl);
    await cloud.clients.events.send(
      new PutRuleCommand({
        Name: 'observe-recipes',
        EventBusName: cloud.names.bus,
        EventPattern: JSON.stringify({ 'detail-type': ['ScenePlanned', 'SceneReady', 'JobFailed'] }),
      }),
    );
    await cloud.clients.events.send(
      new PutTargetsCommand({
        Rule: 'observe-recipes',
        EventBusName: cloud.names.bus,
        Targets: [{ Id: 'observer', Arn: `arn:aws:sqs:${cloud.region}:${cloud.accountId}:observer-recipes` }],
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await cloud?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function observed(jobId: string): Observed {
    let entry = seen.get(jobId);
    if (!entry) {
      entry = { planned: [], ready: [], failed: [] };
      seen.set(jobId, entry);
    }
    return entry;
  }

  async function drain(): Promise<void> {
    let received: ReceiveMessageCommandOutput;
    try {
      received = await cloud.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: observerUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
    } catch {
      // A reset long poll on a busy machine: the messages come back after their visibility timeout.
      return;
    }
    const { Messages = [] } = received;
    for (const m of Messages) {
      const event = JSON.parse(m.Body ?? '{}') as { 'detail-type': string; detail: { jobId: string } };
      const entry = observed(event.detail.jobId);
      if (event['detail-type'] === 'ScenePlanned')
        entry.planned.push(event.detail as unknown as ScenePlanned);
      if (event['detail-type'] === 'SceneReady') entry.ready.push(event.detail as unknown as SceneReady);
      if (event['detail-type'] === 'JobFailed')
        entry.failed.push(event.detail as unknown as Observed['failed'][0]);
      await cloud.clients.sqs.send(
        new DeleteMessageCommand({ QueueUrl: observerUrl, ReceiptHandle: m.ReceiptHandle }),
      );
    }
  }

  /** Waits until every planned scene of the job is ready (or the job failed). */
  async function untilScenesReady(jobId: string, timeoutMs = JOB_TEST_MS - 60_000): Promise<Observed> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await drain();
      const entry = observed(jobId);
      const count = entry.planned[0]?.sceneCount;
      const readyIndices = new Set(entry.ready.map((r) => r.sceneIndex));
      if (entry.failed.length > 0)
        throw new Error(`job failed: ${JSON.stringify(entry.failed)}\n${logs.slice(-30).join('\n')}`);
      if (count !== undefined && entry.planned.length >= count && readyIndices.size === count) return entry;
      if (Date.now() > deadline) {
        const missing = entry.planned.filter((p) => !readyIndices.has(p.sceneIndex));
        const executions = await Promise.all(missing.map((p) => describeRender(jobId, p.sceneIndex)));
        throw new Error(
          `timed out: planned ${entry.planned.length}/${count}, ready ${[...readyIndices]}\nunfinished renders: ${JSON.stringify(executions)}\n${logs.slice(-30).join('\n')}`,
        );
      }
    }
  }

  async function describeRender(jobId: string, sceneIndex: number): Promise<unknown> {
    const executionArn = `arn:aws:states:${cloud.region}:${cloud.accountId}:execution:reelay-${cloud.stage}-render-scene:${jobId}-${sceneIndex}-1`;
    const execution = await cloud.clients.sfn
      .send(new DescribeExecutionCommand({ executionArn }))
      .catch((e: Error) => e.name);
    const predictions = cloud.models
      .predictions()
      .filter((p) => JSON.stringify(p.input).includes(jobId) || p.webhook?.includes(jobId))
      .map((p) => ({ id: p.id, model: p.model, status: p.status, error: p.error }));
    return { sceneIndex, execution, predictions };
  }

  async function request(spec: JobSpecInput, uploadKeys: string[] = []): Promise<JobRequested> {
    const job = makeJobRequested({
      meta: { userId, correlationId: ulid(), occurredAt: new Date().toISOString() },
      spec: { ...tiny, ...spec, ...(uploadKeys.length ? { uploads: uploadKeys.map(() => ulid()) } : {}) },
      uploadKeys,
    });
    await cloud.clients.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: cloud.names.bus,
            Source: 'reelay.api',
            DetailType: 'JobRequested',
            Detail: JSON.stringify(job),
          },
        ],
      }),
    );
    return job;
  }

  /** Puts a user's media where the api would: uploads/<userId>/<ulid>.<ext>. */
  async function upload(ext: 'png' | 'mp4', lavfi: string): Promise<string> {
    const file = join(dir, `${ulid()}.${ext}`);
    const out =
      ext === 'png'
        ? ['-frames:v', '1']
        : ['-t', '1.5', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', lavfi, ...out, '-y', file]);
    const key = `uploads/${userId}/${ulid()}.${ext}`;
    await cloud.clients.s3.send(
      new PutObjectCommand({ Bucket: cloud.names.mediaBucket, Key: key, Body: readFileSync(file) }),
    );
    return key;
  }

  const kinds = (scenes: Array<{ sceneIndex: number; kind: string }>) =>
    [...scenes].sort((a, b) => a.sceneIndex - b.sceneIndex).map((s) => s.kind);
  const byIndex = <T extends { sceneIndex: number }>(scenes: T[]) =>
    [...scenes].sort((a, b) => a.sceneIndex - b.sceneIndex);

  it.concurrent(
    'prompt: N video scenes, a narration line aligned to each, and a music bed, written by the planning model',
    async () => {
      const job = await request({ prompt: 'a lighthouse in a storm at night', scenes: 2 });

      const { planned, ready } = await untilScenesReady(job.jobId);

      expect(kinds(planned)).toEqual(['video', 'video', 'narration', 'narration', 'music']);
      expect(kinds(ready)).toEqual(kinds(planned));
      expect(new Set(planned.map((s) => s.planner))).toEqual(new Set(['model']));
      expect(byIndex(planned).map((s) => s.alignTo)).toEqual([undefined, undefined, 0, 1, undefined]);
      expect(byIndex(planned)[4]?.durationSec).toBeCloseTo(1.5, 3); // two 1 s scenes joined by a 0.5 s crossfade
      for (const scene of ready) expect(scene.key.startsWith(`intermediates/${job.jobId}/`)).toBe(true);
    },
    JOB_TEST_MS,
  );

  it.concurrent(
    'ad: chained video scenes, each started from the last frame of the one before, with narration, music and captions',
    async () => {
      const job = await request({
        recipe: 'ad',
        prompt: 'a 3-second ad for a reusable water bottle',
        scenes: 3,
      });

      const { planned, ready } = await untilScenesReady(job.jobId);

      expect(kinds(planned)).toEqual([
        'video',
        'video',
        'video',
        'narration',
        'narration',
        'narration',
        'music',
      ]);
      expect(kinds(ready)).toEqual(kinds(planned));
      const visuals = byIndex(planned).slice(0, 3);
      expect(visuals.map((s) => s.chainedFrom)).toEqual([undefined, 0, 1]);
      for (const scene of visuals) expect(scene.caption).toEqual(expect.any(String));
      for (const k of [1, 2]) {
        const frameKey = `intermediates/${job.jobId}/frames/${String(k - 1).padStart(2, '0')}-last.jpg`;
        const head = await cloud.clients.s3.send(
          new HeadObjectCommand({ Bucket: cloud.names.mediaBucket, Key: frameKey }),
        );
        const execution = await cloud.clients.sfn.send(
          new DescribeExecutionCommand({
            executionArn: `arn:aws:states:${cloud.region}:${cloud.accountId}:execution:reelay-${cloud.stage}-render-scene:${job.jobId}-${k}-1`,
          }),
        );
        expect(head.ContentType).toBe('image/jpeg');
        expect(JSON.parse(execution.input ?? '{}').firstFrameKey).toBe(frameKey);
      }
      const chainedPredictions = cloud.models
        .predictions()
        .filter((p) => p.model === 'wan-video/wan-2.2-i2v-fast' && typeof p.input.image === 'string');
      expect(chainedPredictions.length).toBeGreaterThanOrEqual(2);
    },
    JOB_TEST_MS,
  );

  it.concurrent(
    'story: the user images as image scenes with their upload keys, narrated one by one',
    async () => {
      const keys = [await upload('png', 'testsrc2=s=320x240'), await upload('png', 'mandelbrot=s=320x240')];
      const job = await request({ recipe: 'story', prompt: 'a day at the seaside', music: false }, keys);

      const { planned, ready } = await untilScenesReady(job.jobId);

      expect(kinds(planned)).toEqual(['image', 'image', 'narration', 'narration']);
      expect(kinds(ready)).toEqual(kinds(planned));
      expect(byIndex(planned).map((s) => s.uploadKey)).toEqual([...keys, undefined, undefined]);
      const images = byIndex(ready).slice(0, 2);
      expect(images.map((s) => s.provider)).toEqual(['upload', 'upload']);
      expect(images.map((s) => [s.width, s.height])).toEqual([
        [320, 240],
        [320, 240],
      ]);
    },
    JOB_TEST_MS,
  );

  it.concurrent(
    'merge: the user clips as upload scenes copied into the job, probed, at no cost',
    async () => {
      const keys = [
        await upload('mp4', 'testsrc2=s=320x240:r=25'),
        await upload('mp4', 'smptebars=s=320x240:r=25'),
      ];
      const job = await request({ recipe: 'merge', narration: false }, keys);

      const { planned, ready } = await untilScenesReady(job.jobId);

      expect(kinds(planned)).toEqual(['upload', 'upload']);
      expect(kinds(ready)).toEqual(['upload', 'upload']);
      for (const scene of ready) {
        expect(scene).toMatchObject({ provider: 'upload', costUsd: 0, width: 320, height: 240 });
        expect(scene.key).toMatch(new RegExp(`^intermediates/${job.jobId}/scenes/0[01]-1\\.mp4$`));
        expect(scene.durationSec).toBeCloseTo(1.5, 1);
      }
    },
    JOB_TEST_MS,
  );

  it.concurrent(
    'soundtrack: one upload scene and a music bed as long as the video, from a prompt derived from the job',
    async () => {
      const keys = [await upload('mp4', 'testsrc2=s=320x240:r=25')];
      const job = await request({ recipe: 'soundtrack', prompt: 'calm piano' }, keys);

      const { planned, ready } = await untilScenesReady(job.jobId);

      expect(kinds(planned)).toEqual(['upload', 'music']);
      expect(kinds(ready)).toEqual(['upload', 'music']);
      const music = byIndex(planned)[1];
      expect(music?.prompt).toContain('calm piano');
      expect(music?.durationSec).toBeCloseTo(1.5, 1);
    },
    JOB_TEST_MS,
  );

  it.concurrent(
    'an invalid plan from the planning model falls back to the deterministic plan, and the plan says so',
    async () => {
      const job = await request({
        prompt: 'a kite festival [invalid-plan]',
        scenes: 2,
        narration: false,
        music: false,
      });

      const { planned, ready } = await untilScenesReady(job.jobId);

      expect(kinds(ready)).toEqual(['video', 'video']);
      expect(planned.map((s) => s.planner)).toEqual(['deterministic', 'deterministic']);
      const plannerCalls = cloud.models
        .predictions()
        .filter((p) => p.model === 'meta/meta-llama-3-8b-instruct');
      expect(plannerCalls.some((p) => String(p.input.prompt).includes('[invalid-plan]'))).toBe(true);
    },
    JOB_TEST_MS,
  );

  it.concurrent(
    'language and style references: Vietnamese narration by the model that speaks it, every scene in the look of a dark red reference described once',
    async () => {
      // Prepare: a dark red picture as the user's style reference.
      const reference = await upload('png', 'color=c=0x5a0a0a:s=160x90');
      const described = () =>
        cloud.models.predictions().filter((p) => p.model === 'yorickvp/llava-13b').length;
      const before = described();
      const job = makeJobRequested({
        meta: { userId, correlationId: ulid(), occurredAt: new Date().toISOString() },
        spec: {
          ...tiny,
          prompt: 'a lighthouse in a storm',
          scenes: 2,
          music: false,
          language: 'vi',
          styleReferences: [ulid()],
        },
        styleReferenceKeys: [reference],
      });

      // Act
      await cloud.clients.events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: cloud.names.bus,
              Source: 'reelay.api',
              DetailType: 'JobRequested',
              Detail: JSON.stringify(job),
            },
          ],
        }),
      );
      const { planned, ready } = await untilScenesReady(job.jobId);

      // Assess
      expect(kinds(ready)).toEqual(['video', 'video', 'narration', 'narration']);
      const [video0, video1, voice0, voice1] = byIndex(planned);
      for (const scene of [video0, video1]) {
        expect(scene?.prompt).toMatch(/\. Style: dark, low-key lighting.*red tones/);
      }
      for (const scene of [voice0, voice1]) {
        expect(scene).toMatchObject({
          model: 'minimax/speech-02-hd',
          voice: 'Vietnamese_kindhearted_girl',
          language: 'vi',
        });
        expect(scene?.prompt).not.toContain('Style:');
      }
      expect(voice0?.narration).toBe('Đây là a lighthouse in a storm.');
      expect(video0?.output.language).toBe('vi');
      expect(described() - before).toBe(1);
    },
    JOB_TEST_MS,
  );
});
