/**
 * The soak (issue 9): N jobs of mixed recipes submitted at once through the HTTP API while every
 * fault is armed, one poison message, then the poison's cause fixed and every dead letter redriven,
 * then a replay of the whole archive; the invariants are checked and printed as a table.
 */

import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '@reelay/job-records';
import { formatChaosReport } from '../../local/cloud/src/chaos/chaos-injector';
import { type EmbeddedCloud, REPO_ROOT, startEmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import { startArchiveReplay } from '../../local/ops/src/archive-replay';
import { redriveJobDeadMessages } from '../../local/ops/src/redrive-job';
import { redriveQueue } from '../../local/ops/src/redrive-queue';
import { startCallbackReceiver } from './callback-receiver';
import { isTerminal, prepareUsers, submitSoakJob, waitForJobs } from './job-driver';
import { makeSoakMedia, plannedJob } from './job-mix';
import { checkInvariants, formatChecks, type SoakCheck, type SoakJob } from './soak-checks';
import { failedExecutionTrails } from './soak-executions';
import { addPoison, armSoakFaults, shortenVisibilityTimeouts } from './soak-faults';
import { LONG_JOB_USER, prepareLongJob, watchLongJob } from './soak-long-job';
import {
  functionTmpAtRest,
  invocationCount,
  isRestartMoment,
  longestInvocations,
  restartCloud,
  totalsOverRestart,
} from './soak-restart';
import {
  checkSeries,
  type SoakEpisode,
  type SoakSeries,
  seriesDayOver,
  seriesEpisodes,
  startSoakSeries,
} from './soak-series';
import { republishedEvents, snapshotChanges, takeSnapshot } from './soak-state';

export interface SoakOptions {
  jobs: number;
  stage?: string;
  /** Each job's deadlineSec (the sweeper fails a job past it). */
  deadlineSec?: number;
  duplicateProbability?: number;
  crashProbability?: number;
  /** Visibility timeout of the work queues during the soak (a crashed message comes back after it). */
  visibilitySec?: number;
  seed?: number;
  /** Series traffic (soak-series.ts): one series with a small quota, its episodes checked with the jobs. */
  series?: boolean;
  /** Pages of the long job (soak-long-job.ts: a narrated story, one Vietnamese line per page); 0 for none. */
  longPages?: number;
  log?: (line: string) => void;
}

export interface SoakOutcome {
  checks: SoakCheck[];
  /** The printed table: the checks, the phases' durations and the chaos report. */
  lines: string[];
  phases: Array<{ phase: string; seconds: number }>;
  jobs: SoakJob[];
}

/**
 * The composer renews its lease every third of this while it composes, so a short lease costs
 * nothing to a live composition and a crashed composer's job is taken up within it.
 */
const COMPOSE_LEASE_SEC = 30;
/** Every work queue's visibility timeout during the soak: what a crash costs (soak-faults.ts says why it is safe). */
const VISIBILITY_SEC = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaosSoak(options: SoakOptions): Promise<SoakOutcome> {
  const log = options.log ?? (() => undefined);
  const deadlineSec = options.deadlineSec ?? 1800;
  const stage = options.stage ?? 'soak';
  const phases: SoakOutcome['phases'] = [];
  let phaseStart = Date.now();
  const phase = (name: string) => {
    phases.push({ phase: name, seconds: Math.round((Date.now() - phaseStart) / 100) / 10 });
    log(`${name}: ${phases.at(-1)?.seconds} s`);
    phaseStart = Date.now();
  };
  // Function logs go to a file (the default place of the embedded cloud's logs); on failure, their tail is printed.
  const logFile = join(REPO_ROOT, '.reelay', 'logs', `soak-${stage}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, '');
  // A durable data folder (not the throwaway one), so that the cloud restarted mid-run resumes it.
  mkdirSync(join(REPO_ROOT, '.reelay'), { recursive: true });
  const dataDir = mkdtempSync(join(REPO_ROOT, '.reelay', `soak-${stage}-`));
  const startCloud = () =>
    startEmbeddedCloud({
      stage,
      dataDir,
      onLog: (fn, line) => appendFileSync(logFile, `${fn} ${line}\n`),
      // A crashed composer's job resumes once its lease lapses (renewed while a composer lives).
      functionEnv: {
        CALLBACK_TEST_ALLOW_LOOPBACK_HTTP: 'true',
        CALLBACK_BACKOFF_BASE_SEC: '1',
        COMPOSE_LEASE_MS: String(COMPOSE_LEASE_SEC * 1000),
        // A crashed RenderScene task's claim: StoreScene's lease (180 s by default) and the window in
        // which a create claimed by a crashed task is left alone (90 s) keep a scene waiting that long.
        // Here they are createPrediction's function timeout (a create cannot outlive it) and 60 s for
        // a store (twice the longest the soak has seen a store of a 1 s clip take on a busy machine,
        // 28 s: see the longest invocations printed).
        CREATE_WINDOW_SEC: '30',
        STORE_LEASE_SEC: '60',
      },
    });
  let cloud: EmbeddedCloud | undefined = await startCloud();
  const cloudStartedAt = new Date();
  const receiver = await startCallbackReceiver();
  const mediaDir = mkdtempSync(join(dataDir, 'soak-media-'));
  try {
    phase('cloud started');
    let doc = DynamoDBDocumentClient.from(cloud.clients.dynamodb);
    const marker = `poison-${randomBytes(4).toString('hex')}`;
    const planned = Array.from({ length: options.jobs }, (_, i) => plannedJob(i, { deadlineSec }));
    const poisoned = planned[0];
    if (!poisoned) throw new Error('a soak needs at least one job');
    poisoned.spec = { ...poisoned.spec, recipe: 'prompt', prompt: `a glass of water (${marker})`, scenes: 3 };
    poisoned.uploads = [];

    let poison = addPoison(cloud, marker);
    const shortenVisibility = (on: EmbeddedCloud) =>
      shortenVisibilityTimeouts(on, options.visibilitySec ?? VISIBILITY_SEC);
    await shortenVisibility(cloud);
    const uploads = await prepareUsers(cloud, planned, {
      callbackUrl: receiver.url,
      media: makeSoakMedia(mediaDir),
    });
    // The long job's pages go up with the other users' media, before the faults; it is submitted with the jobs.
    const longPages = options.longPages ?? 0;
    const long =
      longPages > 0
        ? await prepareLongJob(cloud, {
            pages: longPages,
            dir: mediaDir,
            callbackUrl: receiver.url,
            deadlineSec,
            index: planned.length,
          })
        : undefined;
    phase('users ready (callbacks registered, media uploaded)');

    let armed = armSoakFaults(
      cloud,
      {
        jobs: options.jobs,
        duplicateProbability: options.duplicateProbability ?? 0.1,
        crashProbability: options.crashProbability ?? 0.05,
        seed: options.seed ?? 9,
      },
      poison,
    );
    const submitTo = cloud;
    // The series' first run comes at once, its episodes made beside the jobs under every fault.
    const series: SoakSeries | undefined =
      options.series === false
        ? undefined
        : await startSoakSeries(cloud, {
            callbackUrl: receiver.url,
            deadlineSec,
            idempotencyKey: `soak-${stage}-series-${marker}`,
          });
    const [jobIds, longJobId] = await Promise.all([
      Promise.all(
        planned.map((job) =>
          submitSoakJob(submitTo, job, uploads.get(job.userId), `soak-${stage}-${job.index}-${marker}`),
        ),
      ),
      long && submitSoakJob(submitTo, long.planned, long.uploads, `soak-${stage}-long-${marker}`),
    ]);
    const jobs: SoakJob[] = planned.map((job, i) => ({
      index: job.index,
      jobId: jobIds[i] ?? '',
      userId: job.userId,
      recipe: job.spec.recipe ?? 'prompt',
      poisoned: job === poisoned,
    }));
    if (long && longJobId) {
      jobIds.push(longJobId);
      jobs.push({
        index: long.planned.index,
        jobId: longJobId,
        userId: LONG_JOB_USER,
        recipe: `long story of ${long.pages} pages`,
        poisoned: false,
      });
    }
    phase(`${jobs.length} jobs submitted`);

    const mainDeadline = Date.now() + (deadlineSec + 180) * 1000;
    const midRun = await waitForJobs({ doc, table: cloud.names.jobsTable }, jobIds, {
      deadlineMs: mainDeadline,
      enough: (records) => isRestartMoment(jobs, records),
      onProgress: (done, total) => log(`terminal: ${done}/${total}`),
    });
    phase('mid-run: the poisoned job dead-lettered, a third of the jobs ended');

    // The whole cloud stops abruptly with jobs in flight and starts again on its data folder.
    const crashed: EmbeddedCloud = cloud;
    cloud = undefined;
    const restart = await restartCloud(crashed, {
      armed,
      poison,
      jobsInFlight: jobs.filter((j) => !isTerminal(midRun.get(j.jobId))).map((j) => j.jobId),
      start: startCloud,
      shortenVisibility,
    });
    cloud = restart.cloud;
    ({ armed, poison } = restart);
    doc = DynamoDBDocumentClient.from(cloud.clients.dynamodb);
    log(
      `restarted: stopped in ${restart.stopSec.toFixed(1)} s with ${restart.jobsInFlight.length} jobs in flight and ${restart.handover.messages.length} messages queued, started again in ${restart.startSec.toFixed(1)} s`,
    );
    phase('whole-cloud restart on the data folder');

    if (series) {
      // Day one of the series is over once its quota's episodes ended; they join the soak's jobs.
      const episodes = await waitForSeriesDay(cloud, series, mainDeadline);
      for (const episode of episodes.filter((e) => e.jobId)) {
        jobIds.push(episode.jobId ?? '');
        jobs.push({
          index: jobs.length,
          jobId: episode.jobId ?? '',
          userId: series.userId,
          recipe: 'series episode',
          poisoned: false,
        });
      }
      log(`series ${series.seriesId}: ${episodes.map((e) => `${e.itemId} ${e.status}`).join(', ')}`);
    }
    const terminal = await waitForJobs({ doc, table: cloud.names.jobsTable }, jobIds, {
      deadlineMs: mainDeadline,
      onProgress: (done, total) => log(`terminal: ${done}/${total}`),
    });
    for (const line of describeJobs(jobs, terminal)) log(line);
    phase('every job terminal under faults');
    const live: EmbeddedCloud = cloud;

    // The fix: the poison's cause goes away, the denied rule is allowed again; then every dead letter goes back.
    poison.fix();
    for (const fault of armed) if (fault.name.startsWith('deny')) fault.handle.remove();
    const redriven = await redriveEverything(live, doc, jobIds);
    log(`redriven: ${redriven.length} dead messages and DLQs`);
    const recovered = await waitForJobs({ doc, table: live.names.jobsTable }, jobIds, {
      deadlineMs: Math.min(mainDeadline, Date.now() + Math.max(600, options.jobs * 15) * 1000),
      done: (r) => r?.status === 'COMPLETED' || (isTerminal(r) && r?.failure?.code !== 'DEAD_LETTER'),
      onProgress: (done, total) => log(`after the redrive, completed or failed for good: ${done}/${total}`),
    });
    for (const line of describeJobs(jobs, recovered)) log(line);
    await settle(live, log);
    phase(`redrive after the fix (${redriven.length} redrives)`);

    const users = [...new Set(jobs.map((j) => j.userId))];
    const snapshotDeps = { doc, jobIds, users, callbacks: receiver.received };
    // The replay runs with duplicates still armed; crashes are lifted so that it settles in seconds
    // rather than in visibility timeouts (every job's crash recovery was exercised before).
    for (const fault of armed) if (fault.name.startsWith('crash')) fault.handle.remove();
    const before = await takeSnapshot(live, snapshotDeps);
    const replay = await startArchiveReplay(
      live.clients.events,
      {
        bus: live.names.bus,
        archive: `${live.names.bus}-archive`,
        from: new Date(cloudStartedAt.getTime() - 60_000),
        to: new Date(),
        inAws: false,
      },
      600_000,
    );
    log(`replay ${replay.replayName}: ${replay.state}, ${replay.archiveEventCount} archived events`);
    await sleep(2000);
    await settle(live, log);
    const after = await takeSnapshot(live, snapshotDeps);
    log(`events published again by the replay: ${republishedEvents(before, after).join(', ') || 'none'}`);
    const replayChanges = [
      ...(replay.state === 'COMPLETED' ? [] : [`the replay ended ${replay.state}`]),
      ...snapshotChanges(before, after),
    ];
    phase('replay of the whole archive');

    // The long job's final video, frame by frame: which pages are on screen, in which order.
    const longVideo =
      long && longJobId ? await watchLongJob(live, long, after.records.get(longJobId), mediaDir) : undefined;
    if (longVideo) phase(`the long job's video read (${longVideo.frames.reduce((n, f) => n + f, 0)} frames)`);

    const seriesAtRest = series ? await seriesEpisodes(live, series) : [];
    // The message accounting spans both clouds (the audit was carried); fault counts are summed here.
    const report = live.chaos.report();
    const totals = totalsOverRestart(restart.before, report);
    const checks = checkInvariants({
      jobs,
      snapshot: after,
      chaos: report,
      replayChanges,
      armed: armed.map((a) => ({ name: a.name, injected: a.handle.injected() })),
      restart: {
        jobsInFlight: restart.jobsInFlight.length,
        messagesCarried: restart.handover.messages.length,
      },
      functionTmp: functionTmpAtRest(live),
      longJob:
        long && longJobId
          ? {
              jobId: longJobId,
              pages: long.pages,
              video: longVideo,
              inFlightAtRestart: restart.jobsInFlight.includes(longJobId),
            }
          : undefined,
    });
    checks.push(checkSeries(series, seriesAtRest, (jobId) => after.records.get(jobId)?.status));
    const invocations = restart.invocationsBefore + invocationCount(live);
    const longest = [...longestInvocations(live, restart.longestBefore)]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([name, sec]) => `${name.replace(/^reelay-/, '')} ${sec.toFixed(1)} s`);
    const lines = [
      `soak: ${jobs.length} jobs (${recipeMix(jobs)}), ${poison.receivesBlocked()} poisoned receives; ${[...recovered.values()].filter((r) => r?.recoveredFailure).length} jobs recovered by the redrive`,
      ...formatChecks(checks),
      '',
      ...phases.map((p) => `phase ${p.phase.padEnd(50)} ${p.seconds} s`),
      '',
      ...armed.map((a) => `fault ${a.name.padEnd(60)} injected ${a.handle.injected()}`),
      `crashes ${totals.crash ?? 0} of ${invocations} invocations over both clouds (${((100 * (totals.crash ?? 0)) / Math.max(1, invocations)).toFixed(1)}%)`,
      `longest invocations (the work queues' visibility timeout is ${options.visibilitySec ?? VISIBILITY_SEC} s): ${longest.join(', ')}`,
      ...formatChaosReport(report).slice(-1),
    ];
    const failedAtRender = jobIds.filter((id) => after.records.get(id)?.failure?.stage === 'render');
    const trails = await failedExecutionTrails(live, failedAtRender);
    if (trails.length > 0) lines.push('', ...trails);
    if (checks.some((c) => !c.ok)) lines.push('', `function logs: ${logFile}`);
    return { checks, lines, phases, jobs };
  } finally {
    cloud?.chaos.clear();
    await receiver.close();
    await cloud?.close();
    if (!process.env.REELAY_SOAK_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Polls the series' episodes until its quota's episodes have ended (or the deadline passes). */
async function waitForSeriesDay(
  cloud: EmbeddedCloud,
  series: SoakSeries,
  deadlineMs: number,
): Promise<SoakEpisode[]> {
  for (;;) {
    const episodes = await seriesEpisodes(cloud, series);
    if (seriesDayOver(series, episodes) || Date.now() > deadlineMs) return episodes;
    await sleep(2000);
  }
}

/** Every dead message the ledger kept (per job), then every DLQ that still holds messages. */
async function redriveEverything(
  cloud: EmbeddedCloud,
  doc: DynamoDBDocumentClient,
  jobIds: readonly string[],
): Promise<string[]> {
  const done: string[] = [];
  for (const jobId of jobIds) {
    const result = await redriveJobDeadMessages(jobId, {
      doc,
      sqs: cloud.clients.sqs,
      table: cloud.names.jobsTable,
    });
    for (const sent of result.sent) done.push(`${jobId} ${sent.deadLetterQueue} → ${sent.redriveTo}`);
  }
  for (const dlq of cloud.emulator.sqs.listQueueDepths().filter((q) => q.name.endsWith('-dlq'))) {
    if (dlq.visible + dlq.inFlight + dlq.delayed === 0) continue;
    const result = await redriveQueue(cloud.clients.sqs, dlq.name);
    done.push(`${dlq.name} (${result.kind})`);
  }
  return done;
}

/**
 * Waits until every work queue has been empty (nothing visible, in flight or delayed) and no DLQ holds
 * a message its deadLetters function has yet to take, for 5 s in a row. A message that dies during
 * the redrive becomes a JobFailed only once deadLetters drains it: the snapshot before the replay
 * must include that, or the replay check blames the replay for it. (A DLQ's in-flight messages are
 * not waited for: a dead message that names no job is parked in flight for 12 h.)
 */
async function settle(cloud: EmbeddedCloud, log: (line: string) => void, timeoutMs = 900_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietSince = 0;
  while (Date.now() < deadline) {
    const busy = cloud.emulator.sqs
      .listQueueDepths()
      .filter((q) =>
        q.name.endsWith('-dlq') ? q.visible + q.delayed > 0 : q.visible + q.inFlight + q.delayed > 0,
      );
    if (busy.length > 0) quietSince = 0;
    else quietSince ||= Date.now();
    if (quietSince && Date.now() - quietSince >= 5000) return;
    await sleep(500);
  }
  log('the queues never settled');
}

function recipeMix(jobs: readonly SoakJob[]): string {
  const counts = new Map<string, number>();
  for (const j of jobs) counts.set(j.recipe, (counts.get(j.recipe) ?? 0) + 1);
  return [...counts].map(([recipe, n]) => `${n} ${recipe}`).join(', ');
}

/** One line per job: recipe, status, and why it failed or what it recovered from. */
function describeJobs(
  jobs: readonly SoakJob[],
  records: ReadonlyMap<string, JobRecord | undefined>,
): string[] {
  return jobs.map((j) => {
    const r = records.get(j.jobId);
    const failure = r?.failure ?? r?.recoveredFailure;
    const why = failure
      ? ` ${r?.failure ? 'failed' : 'recovered from'} ${failure.stage}/${failure.code}: ${failure.reason.slice(0, 160)}`
      : '';
    return `job ${j.index} ${j.jobId} ${j.recipe}${j.poisoned ? ' (poisoned)' : ''}: ${r?.status ?? 'never recorded'}, ${r?.deadMessages.length ?? 0} dead messages${why}`;
  });
}
