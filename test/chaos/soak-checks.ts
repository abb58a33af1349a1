/**
 * The soak's invariants (docs/architecture.md "Invariants", issue 9), each computed from a snapshot into one
 * row of the table the soak prints: what was expected, what was seen, and the offending jobs.
 */
import type { JobRecord } from '@reelay/job-records';
import type { ChaosReport } from '../../local/cloud/src/chaos/chaos-injector';
import type { SoakSnapshot } from './soak-state';

export interface SoakCheck {
  name: string;
  expected: string;
  observed: string;
  ok: boolean;
  /** The jobs or messages that break it (empty when ok). */
  offenders: string[];
}

/** The long job as the check sees it: how many pages it was given, and the pages its final video shows in order. */
export interface SoakLongJobSeen {
  jobId: string;
  pages: number;
  /** Page indices in the order they are on screen (one entry per run of frames), with each run's frames; undefined without a video. */
  video: { pagesOnScreen: number[]; frames: number[] } | undefined;
  /** Whether it was still running when the cloud restarted (reported, not required: the restart's moment is the soak's). */
  inFlightAtRestart: boolean;
}

export interface SoakJob {
  index: number;
  jobId: string;
  userId: string;
  recipe: string;
  poisoned: boolean;
}

const COST_TOLERANCE_USD = 1e-5;
/** How a failure reads when the model server's stop ended a prediction (local/models' wording). */
const FAILED_BY_THE_RESTART =
  /the local model server (shut down|stopped|restart)|restart of the local model server/;

function check(name: string, expected: string, observed: string, offenders: string[]): SoakCheck {
  return { name, expected, observed, ok: offenders.length === 0, offenders };
}

const terminalAt = (r: JobRecord): string | undefined =>
  r.status === 'COMPLETED' ? r.completedAt : r.failedAt;

export function checkInvariants(input: {
  jobs: readonly SoakJob[];
  snapshot: SoakSnapshot;
  chaos: ChaosReport;
  replayChanges: readonly string[];
  armed: ReadonlyArray<{ name: string; injected: number }>;
  /** The whole-cloud restart mid-run: jobs not yet ended and messages still queued when it stopped. */
  restart: { jobsInFlight: number; messagesCarried: number } | undefined;
  /** What the functions left in their TMPDIR (the data folder's tmp/) at rest, and the crashes since it was emptied. */
  functionTmp: { entries: string[]; crashes: number };
  /** The long job (soak-long-job.ts): its pages and what its final video shows; undefined when the soak ran none. */
  longJob: SoakLongJobSeen | undefined;
}): SoakCheck[] {
  const { jobs, snapshot } = input;
  const recordOf = (job: SoakJob) => snapshot.records.get(job.jobId);
  const completed = jobs.filter((j) => recordOf(j)?.status === 'COMPLETED');
  const failed = jobs.filter((j) => recordOf(j)?.status === 'FAILED');
  const checks: SoakCheck[] = [];

  checks.push(
    check(
      'every job terminal',
      `${jobs.length} COMPLETED or FAILED`,
      `${completed.length} COMPLETED, ${failed.length} FAILED`,
      jobs
        .filter((j) => !completed.includes(j) && !failed.includes(j))
        .map((j) => `${j.jobId} ${recordOf(j)?.status ?? 'never recorded'}`),
    ),
  );
  checks.push(
    check(
      'every failure names its stage and reason',
      'stage, code and reason on each FAILED job',
      failed.map((j) => `${recordOf(j)?.failure?.stage}/${recordOf(j)?.failure?.code}`).join(', ') ||
        'no failures',
      failed
        .filter((j) => {
          const f = recordOf(j)?.failure;
          return !f?.stage || !f.code || !f.reason;
        })
        .map((j) => j.jobId),
    ),
  );
  checks.push(
    check(
      'every job ended within its deadline',
      'completedAt/failedAt ≤ deadlineAt',
      `${jobs.filter((j) => withinDeadline(recordOf(j))).length} of ${jobs.length}`,
      jobs.filter((j) => !withinDeadline(recordOf(j))).map((j) => j.jobId),
    ),
  );

  const finals = (jobId: string) =>
    snapshot.objects.filter((o) => o.key.startsWith(`jobs/${jobId}/`) && o.key.endsWith('final.mp4'));
  checks.push(
    check(
      'one final video per completed job',
      'exactly jobs/<jobId>/final.mp4',
      `${completed.filter((j) => finals(j.jobId).length === 1).length} of ${completed.length}`,
      completed
        .filter((j) => {
          const f = finals(j.jobId);
          return f.length !== 1 || f[0]?.key !== recordOf(j)?.output?.key;
        })
        .map(
          (j) =>
            `${j.jobId}: ${
              finals(j.jobId)
                .map((o) => o.key)
                .join(', ') || 'none'
            }`,
        ),
    ),
  );
  checks.push(
    check(
      'one completion record per completed job',
      'one VideoComposed on the timeline, output recorded',
      `${completed.filter((j) => oneCompletion(recordOf(j))).length} of ${completed.length}`,
      completed.filter((j) => !oneCompletion(recordOf(j))).map((j) => j.jobId),
    ),
  );

  const predictionsOf = (jobId: string) => snapshot.predictions.filter((p) => p.jobId === jobId);
  // A job may be charged for its scenes' predictions and, once for the plan (no scene), for a planning
  // prediction that no other job was charged for.
  const planCharges = new Map<string, string[]>();
  for (const j of jobs)
    for (const u of recordOf(j)?.usage ?? [])
      if (u.sceneIndex === undefined)
        planCharges.set(u.predictionId, [...(planCharges.get(u.predictionId) ?? []), j.jobId]);
  const chargeable = (jobId: string) =>
    new Set([
      ...predictionsOf(jobId).map((p) => p.id),
      ...[...planCharges]
        .filter(
          ([id, chargedTo]) =>
            snapshot.unattributedPredictions.has(id) && chargedTo.length === 1 && chargedTo[0] === jobId,
        )
        .map(([id]) => id),
    ]);
  checks.push(
    check(
      'one charge per prediction',
      'usage items unique per predictionId, each a prediction of the job (its scenes or its plan); job cost = Σ usage',
      `${jobs.reduce((n, j) => n + (recordOf(j)?.usage.length ?? 0), 0)} usage items`,
      jobs.flatMap((j) =>
        chargeProblems(j.jobId, recordOf(j), chargeable(j.jobId)).map(
          (problem) =>
            `${problem} ${[...snapshot.predictionInfo].find(([id]) => problem.includes(id))?.[1] ?? ''}`,
        ),
      ),
    ),
  );
  const users = [...new Set(jobs.map((j) => j.userId))];
  checks.push(
    check(
      "each user's daily usage = Σ of their jobs' charges",
      'predictions and cost equal',
      `${users.length} users`,
      users.flatMap((user) => {
        const own = jobs.filter((j) => j.userId === user).map(recordOf);
        const predictions = own.reduce((n, r) => n + (r?.usage.length ?? 0), 0);
        const cost = own.reduce((n, r) => n + (r?.costUsd ?? 0), 0);
        const day = snapshot.usage.filter((u) => u.userId === user);
        const charged = day.reduce((n, u) => n + u.predictions, 0);
        const chargedUsd = day.reduce((n, u) => n + u.costUsd, 0);
        return charged === predictions && Math.abs(chargedUsd - cost) < COST_TOLERANCE_USD
          ? []
          : [`${user}: charged ${charged} predictions ${chargedUsd} USD, jobs hold ${predictions} / ${cost}`];
      }),
    ),
  );

  const completedCallbacks = (jobId: string) =>
    snapshot.callbacks.filter((c) => c.jobId === jobId && c.type === 'job.completed');
  checks.push(
    check(
      'one callback per completed job',
      'one job.completed webhook-id per completed job, none for others',
      `${completed.filter((j) => new Set(completedCallbacks(j.jobId).map((c) => c.webhookId)).size === 1).length} of ${completed.length} (${snapshot.callbacks.length} POSTs in all)`,
      [
        ...completed
          .filter((j) => new Set(completedCallbacks(j.jobId).map((c) => c.webhookId)).size !== 1)
          .map((j) => `${j.jobId}: ${completedCallbacks(j.jobId).length} job.completed`),
        ...failed
          .filter((j) => completedCallbacks(j.jobId).length > 0)
          .map((j) => `${j.jobId} FAILED but called back completed`),
      ],
    ),
  );

  checks.push(
    check(
      'predictions ≤ scene attempts',
      'at most one prediction per (job, scene, attempt)',
      `${snapshot.predictions.length} scene predictions`,
      attemptOverruns(snapshot),
    ),
  );

  const m = input.chaos.messages;
  checks.push(
    check(
      'zero messages lost',
      'every message consumed, in a DLQ or pending',
      `sent ${m.sent}, consumed ${m.consumed}, dead-lettered ${m.deadLettered}, pending ${m.pending}, lost ${m.lost.length}`,
      m.lost.map((l) => `${l.queueName} ${l.messageId}`),
    ),
  );
  const poisoned = jobs.filter((j) => j.poisoned);
  checks.push(
    check(
      'the poisoned job completed after the redrive',
      'COMPLETED, recovered from a dead letter',
      poisoned
        .map(
          (j) =>
            `${recordOf(j)?.status} (recovered from ${recordOf(j)?.recoveredFailure?.stage}/${recordOf(j)?.recoveredFailure?.code})`,
        )
        .join(', '),
      poisoned
        .filter((j) => recordOf(j)?.status !== 'COMPLETED' || !recordOf(j)?.recoveredFailure)
        .map((j) => j.jobId),
    ),
  );
  checks.push(
    check(
      'the replay of the whole archive changed nothing',
      'same records, objects, usage; no prediction or callback',
      input.replayChanges.length === 0 ? 'nothing changed' : `${input.replayChanges.length} changes`,
      [...input.replayChanges],
    ),
  );
  checks.push(
    check(
      "each user's quota = units of their completed jobs, no slot held at rest",
      'quota used per day = Σ units of COMPLETED jobs (failed ones refunded once); running, queued, queue entries 0',
      `${snapshot.quotas.length} users`,
      quotaProblems(jobs, snapshot),
    ),
  );
  const restart = input.restart;
  checks.push(
    check(
      'the whole cloud restarted mid-run, with jobs and messages in flight',
      'one restart with ≥ 1 job unfinished and ≥ 1 message queued at the stop, no job failed by it',
      restart
        ? `${restart.jobsInFlight} jobs in flight, ${restart.messagesCarried} messages carried`
        : 'no restart',
      !restart
        ? ['the soak never restarted its cloud']
        : [
            ...(restart.jobsInFlight === 0 || restart.messagesCarried === 0
              ? ['the restart came when nothing was in flight']
              : []),
            // Without the carry, the messages queued at the stop would be accounted for by no audit.
            ...((input.chaos.messages.carriedIn ?? 0) === restart.messagesCarried
              ? []
              : [
                  `the new cloud's audit carried ${input.chaos.messages.carriedIn ?? 0} of the ${restart.messagesCarried} messages queued at the stop`,
                ]),
            // Replicate's predictions outlive our machines: the twin resumes the ones the stop
            // interrupted, so no scene (and no job) may fail because the model server stopped.
            ...jobs
              .filter((j) => FAILED_BY_THE_RESTART.test(recordOf(j)?.failure?.reason ?? ''))
              .map((j) => `${j.jobId} failed by the restart: ${recordOf(j)?.failure?.reason}`),
          ],
    ),
  );
  const tmp = input.functionTmp;
  checks.push(
    check(
      "nothing left in the functions' temp dir but by crashed invocations",
      "entries in the data folder's tmp/ ≤ invocations crashed since the restart emptied it",
      `${tmp.entries.length} entries, ${tmp.crashes} crashes`,
      tmp.entries.length <= tmp.crashes ? [] : tmp.entries.slice(0, 20),
    ),
  );
  // Only when the soak ran a long job (REELAY_CHAOS_LONG_PAGES > 0).
  if (input.longJob) checks.push(longJobCheck(input.longJob, snapshot));
  checks.push(
    check(
      'every armed fault fired',
      'injected > 0 for each',
      input.armed.map((a) => `${a.injected}`).join('/'),
      input.armed.filter((a) => a.injected === 0).map((a) => a.name),
    ),
  );
  return checks;
}

/**
 * The long job COMPLETED, the ledger holds a page and a narration scene per page (each ready), and its
 * final video shows every page once, in order: a page lost, repeated or out of place in the timeline
 * (a scene set that completed without one, a page prepared twice into it, a chunk joined out of order)
 * changes the sequence of colours read from its frames.
 */
function longJobCheck(long: SoakLongJobSeen, snapshot: SoakSnapshot): SoakCheck {
  const name = 'the long job completed with every page on screen, in order';
  const expected =
    'COMPLETED; a page and a narration scene per page in the ledger; the video shows pages 0..N-1 once each, in order';
  const record = snapshot.records.get(long.jobId);
  const scenes = record?.scenes ?? [];
  const ofKind = (kind: string) => scenes.filter((s) => s.kind === kind).length;
  const onScreen = long.video?.pagesOnScreen ?? [];
  const inOrder = onScreen.length === long.pages && onScreen.every((page, i) => page === i);
  const missing = [...Array(long.pages).keys()].filter((page) => !onScreen.includes(page));
  const offenders = [
    ...(record?.status === 'COMPLETED'
      ? []
      : [
          `${long.jobId} ${record?.status ?? 'never recorded'} ${record?.failure?.code ?? ''} ${record?.failure?.reason ?? ''}`.trim(),
        ]),
    ...(ofKind('image') === long.pages
      ? []
      : [`the ledger has ${ofKind('image')} page scenes for ${long.pages} pages`]),
    ...(ofKind('narration') === long.pages
      ? []
      : [`the ledger has ${ofKind('narration')} narration scenes for ${long.pages} pages`]),
    ...scenes.filter((s) => s.status !== 'ready').map((s) => `scene ${s.sceneIndex} (${s.kind}) ${s.status}`),
    ...(record?.status === 'COMPLETED' && !long.video ? ['its final video was not read'] : []),
    ...(long.video && !inOrder
      ? [
          `pages on screen: ${onScreen.slice(0, 40).join(',')}${onScreen.length > 40 ? ',…' : ''} (${onScreen.length} runs)`,
          ...(missing.length > 0 ? [`pages never on screen: ${missing.slice(0, 40).join(',')}`] : []),
        ]
      : []),
  ];
  const frames = long.video?.frames.reduce((n, f) => n + f, 0) ?? 0;
  return check(
    name,
    expected,
    `${record?.status ?? 'never recorded'}, ${ofKind('image')}/${ofKind('narration')} page/narration scenes, ${inOrder ? `all ${long.pages}` : `${onScreen.length} runs for ${long.pages}`} pages in order on screen (${frames} frames), ${long.inFlightAtRestart ? 'in flight at the restart' : 'ended before the restart'}`,
    offenders,
  );
}

/** Each user's quota counters against their jobs' outcomes, and nothing of theirs still holding a slot. */
function quotaProblems(jobs: readonly SoakJob[], snapshot: SoakSnapshot): string[] {
  const problems: string[] = [];
  for (const quota of snapshot.quotas) {
    const expected: Record<string, number> = {};
    for (const day of Object.keys(quota.usedByDay)) expected[day] = 0;
    for (const job of jobs.filter((j) => j.userId === quota.userId)) {
      const units = snapshot.jobUnits.get(job.jobId);
      if (!units) {
        problems.push(`${job.jobId}: no api job record`);
        continue;
      }
      if (snapshot.records.get(job.jobId)?.status === 'COMPLETED')
        expected[units.quotaDay] = (expected[units.quotaDay] ?? 0) + units.quotaUnits;
    }
    for (const [day, used] of Object.entries(quota.usedByDay))
      if (used !== (expected[day] ?? 0))
        problems.push(
          `${quota.userId} ${day}: quota used ${used}, completed jobs took ${expected[day] ?? 0}`,
        );
    if (quota.running !== 0 || quota.queued !== 0 || quota.queueEntries !== 0)
      problems.push(
        `${quota.userId}: ${quota.running} slots held, ${quota.queued} queued, ${quota.queueEntries} queue entries at rest`,
      );
  }
  return problems;
}

function withinDeadline(record: JobRecord | undefined): boolean {
  const at = record && terminalAt(record);
  return Boolean(at && record?.deadlineAt && Date.parse(at) <= Date.parse(record.deadlineAt));
}

function oneCompletion(record: JobRecord | undefined): boolean {
  return (
    Boolean(record?.output) && record?.timeline.filter((t) => t.detailType === 'VideoComposed').length === 1
  );
}

function chargeProblems(jobId: string, record: JobRecord | undefined, predictionIds: Set<string>): string[] {
  if (!record) return [];
  const problems: string[] = [];
  const ids = record.usage.map((u) => u.predictionId);
  if (new Set(ids).size !== ids.length) problems.push(`${jobId}: a prediction charged twice`);
  for (const id of ids)
    if (!predictionIds.has(id)) problems.push(`${jobId}: charged for ${id}, not one of its predictions`);
  const sum = record.usage.reduce((n, u) => n + u.costUsd, 0);
  if (Math.abs(sum - record.costUsd) > COST_TOLERANCE_USD)
    problems.push(`${jobId}: cost ${record.costUsd} but usage sums to ${sum}`);
  return problems;
}

function attemptOverruns(snapshot: SoakSnapshot): string[] {
  const perAttempt = new Map<string, number>();
  for (const p of snapshot.predictions) {
    const key = `${p.jobId} scene ${p.sceneIndex} attempt ${p.attempt}`;
    perAttempt.set(key, (perAttempt.get(key) ?? 0) + 1);
  }
  return [...perAttempt].filter(([, n]) => n > 1).map(([key, n]) => `${key}: ${n} predictions`);
}

/** The table as text: one line per check, then the offenders of the failing ones. */
export function formatChecks(checks: readonly SoakCheck[]): string[] {
  const width = Math.max(...checks.map((c) => c.name.length));
  return [
    ...checks.map(
      (c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.observed}   (expected: ${c.expected})`,
    ),
    ...checks
      .filter((c) => !c.ok)
      .flatMap((c) => [`-- ${c.name}:`, ...c.offenders.slice(0, 20).map((o) => `   ${o}`)]),
  ];
}
