import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { makeScenePlanned } from '@reelay/events';
import { ulid } from 'ulid';
import { runJob } from '../../local/cli/run-job';
import { type EmbeddedCloud, startEmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import { whenAllWarm } from '../../local/cloud/src/lambda/warm-up';
import { logBook } from '../support/log-book';
import { TEST_STAGE } from '../support/test-stage';

const SERVICES = ['api', 'composer', 'generator', 'ledger'] as const;
/** One event consumer of each service (their HTTP functions and tasks are not consumers). */
const CONSUMERS = { api: 'notify', composer: 'prepare', generator: 'plan', ledger: 'project' } as const;
const serviceOf = (fn: string) => SERVICES.find((s) => fn.startsWith(`reelay-${s}-`));

interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  duration?: string;
}

function ffprobe(file: string): { streams: ProbedStream[]; format: { duration: string } } {
  return JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file]).toString(),
  );
}

describe('a prompt becomes a video through all four services', () => {
  let cloud: EmbeddedCloud;
  let outDir: string;
  /** The job the first test runs to its end; the handler-logging test reads its log lines (no second job). */
  let rendered: Awaited<ReturnType<typeof runJob>> | undefined;
  const logs: string[] = [];
  // Parsed for the checks on what the handlers log (libs/lambda's builder).
  const book = logBook();

  beforeAll(async () => {
    cloud = await startEmbeddedCloud({
      stage: TEST_STAGE,
      onLog: (fn, line) => {
        logs.push(`${fn} ${line}`);
        book.onLog(fn, line);
      },
    });
    outDir = mkdtempSync(join(tmpdir(), 'reelay-e2e-'));
  }, 180_000);

  afterAll(async () => {
    await cloud?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('renders an H.264 + AAC MP4 at the planned size and length', async () => {
    // 1 s scenes: the 0.5 s crossfades still overlap two scenes each, at half the rendering.
    const spec = {
      prompt: 'a lighthouse in a storm at night',
      scenes: 3,
      secondsPerScene: 1,
      resolution: '480p' as const,
    };

    const result = await runJob(cloud, spec, { userId: 'e2e-user', out: join(outDir, 'video.mp4') });
    rendered = result;

    if (result.record.status !== 'COMPLETED')
      throw new Error(`job failed: ${JSON.stringify(result.record.failure)}\n${logs.slice(-40).join('\n')}`);
    const probe = ffprobe(result.video ?? '');
    const video = probe.streams.filter((s) => s.codec_type === 'video');
    const audio = probe.streams.filter((s) => s.codec_type === 'audio');
    expect(video).toHaveLength(1);
    expect(audio).toHaveLength(1);
    expect(video[0]).toMatchObject({ codec_name: 'h264', width: 854, height: 480 });
    expect(audio[0]?.codec_name).toBe('aac');
    // 3 scenes of 1 s joined by two 0.5 s crossfades.
    expect(Math.abs(Number(probe.format.duration) - (3 * 1 - 2 * 0.5))).toBeLessThan(0.25);
    expect(statSync(result.thumbnail ?? '').size).toBeGreaterThan(1000);
    // Captions: a soft subtitle track in the MP4 and a WebVTT sidecar downloaded beside it.
    expect(probe.streams.filter((s) => s.codec_type === 'subtitle')).toHaveLength(1);
    const vtt = readFileSync(result.captions ?? '', 'utf8');
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    expect(vtt.match(/-->/g)).toHaveLength(3);
    // 3 video scenes, a narration line for each and the music bed (the prompt recipe's defaults).
    expect(result.record.scenes.map((s) => s.kind)).toEqual([
      'video',
      'video',
      'video',
      'narration',
      'narration',
      'narration',
      'music',
    ]);
    expect(result.record.scenes.every((s) => s.status === 'ready')).toBe(true);
    expect(result.record.timeline.map((t) => t.detailType)).toEqual(
      expect.arrayContaining(['JobRequested', 'ScenePlanned', 'SceneReady', 'VideoComposed']),
    );
  }, 300_000);

  it('answers 400 naming the problem for an invalid spec, and 401 without a token', async () => {
    const headers = {
      authorization: `Bearer ${cloud.token('e2e-user')}`,
      'content-type': 'application/json',
    };

    const invalid = await fetch(`${cloud.endpoints.api}/jobs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ prompt: 'x', scenes: 40, colour: 'red' }),
    });
    const anonymous = await fetch(`${cloud.endpoints.api}/jobs`, { method: 'POST', body: '{}' });

    expect(invalid.status).toBe(400);
    const problem = (await invalid.json()) as { detail: string };
    expect(problem.detail).toContain('scenes');
    expect(problem.detail).toContain('colour');
    expect(anonymous.status).toBe(401);
  });

  it('runs every function of the four services through the one handler builder (libs/lambda)', async () => {
    // Prepare: every sandbox has loaded its handler module (the cloud starts one per function).
    await whenAllWarm(cloud.functions.values());

    // Act
    const notBuilt = [...cloud.functions.entries()]
      .filter(([, fn]) => fn.builtByReelay !== true)
      .map(([name]) => name);

    // Assess: the four services deploy more than twenty functions, and none bypasses the builder.
    expect(cloud.functions.size).toBeGreaterThan(20);
    expect(notBuilt).toEqual([]);
  });

  it("hides another user's job behind a 404", async () => {
    const owner = { authorization: `Bearer ${cloud.token('owner')}`, 'content-type': 'application/json' };
    const other = { authorization: `Bearer ${cloud.token('someone-else')}` };
    const submitted = (await (
      await fetch(`${cloud.endpoints.api}/jobs`, {
        method: 'POST',
        headers: owner,
        // A tiny job: it runs on in the background while the suite goes on.
        body: JSON.stringify({
          prompt: 'mine',
          scenes: 1,
          secondsPerScene: 1,
          resolution: '480p',
          music: false,
          narration: false,
          captions: false,
        }),
      })
    ).json()) as { jobId: string };
    let ownerView = 404;
    for (let i = 0; i < 100 && ownerView !== 200; i++) {
      ownerView = (await fetch(`${cloud.endpoints.api}/jobs/${submitted.jobId}`, { headers: owner })).status;
      await new Promise((r) => setTimeout(r, 100));
    }

    const otherView = await fetch(`${cloud.endpoints.api}/jobs/${submitted.jobId}`, { headers: other });

    expect(ownerView).toBe(200);
    expect(otherView.status).toBe(404);
  });

  test('a consumer of each service logs the request id, cold start, jobId and correlationId', async () => {
    // Prepare: the first test's job went through a consumer of every service (its lines are in the book).
    expect(rendered?.record.status).toBe('COMPLETED');
    const jobId = rendered?.record.jobId;

    // Assess
    // The job's correlation id, as its first event (JobRequested) carried it to the planner.
    const planned = book.lines.find((l) => l.json.message === 'job planned' && l.json.jobId === jobId);
    const correlationId = planned?.json.correlationId;
    expect(correlationId).toEqual(expect.any(String));
    for (const service of SERVICES) {
      const line = book.lines.find(
        (l) =>
          serviceOf(l.fn) === service &&
          l.fn.endsWith(`-${CONSUMERS[service]}`) &&
          l.json.jobId === jobId &&
          l.json.level === 'INFO',
      );
      expect({ consumer: line?.fn, ...line?.json }).toMatchObject({
        consumer: expect.stringMatching(new RegExp(`^reelay-${service}-.*-${CONSUMERS[service]}$`)),
        service,
        function_request_id: expect.any(String),
        cold_start: expect.any(Boolean),
        jobId,
        correlationId,
      });
    }
  });

  test('a ScenePlanned that fails validation but names its job fails the job on its first delivery', async () => {
    // Prepare: a scene that claims a negative length
    const scene = { ...makeScenePlanned({ jobId: ulid(), sceneCount: 2 }), durationSec: -3 };

    // Act
    const before = book.lines.length;
    const put = await cloud.clients.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: cloud.names.bus,
            Source: 'reelay.generator',
            DetailType: 'ScenePlanned',
            Detail: JSON.stringify(scene),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);

    // Assess: the generator's render consumer failed the job for good, and the JobFailed it
    // published reached the api (which handles every terminal event)
    // (the only record that fails on this cloud: matched without its jobId, so a line missing the
    // jobId fails the check below instead of never being found)
    const failed = await book.waitFor(
      (l) => l.fn.includes('-generator-') && /^record failed/.test(String(l.json.message)),
      before,
    );
    expect(failed.json).toMatchObject({
      jobId: scene.jobId,
      message: 'record failed for good; job failed',
      receiveCount: 1,
      code: 'INVALID_EVENT',
      stage: 'render',
    });
    await book.waitFor(
      (l) =>
        l.fn.includes('-api-') &&
        l.json.jobId === scene.jobId &&
        l.json.message === 'terminal event handled' &&
        l.json.detailType === 'JobFailed',
    );
    const aboutTheJob = book.lines.filter((l) => l.json.jobId === scene.jobId);
    expect(aboutTheJob.filter((l) => l.json.message === 'record failed; it will be retried')).toEqual([]);
    expect(aboutTheJob.filter((l) => l.fn.endsWith('-deadLetters'))).toEqual([]);
  }, 120_000);
});
