/**
 * The soak's whole-cloud restart (issue 19): in the middle of the run, with jobs in flight, the
 * embedded cloud is stopped as abruptly as one process can stop it and a new one is started on the
 * same data folder. What the test keeps across it: the message audit (carried), the faults and the
 * poison (armed again on the new cloud), the shortened visibility timeouts (set again: the deploy puts
 * the template's back), the callback receiver and the job driver (they read the new endpoints).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JobRecord } from '@reelay/job-records';
import type { ChaosReport } from '../../local/cloud/src/chaos/chaos-injector';
import type { AuditHandover } from '../../local/cloud/src/chaos/message-audit';
import type { EmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import { isTerminal } from './job-driver';
import type { SoakJob } from './soak-checks';
import { type ArmedFault, carryPoison, type Poison, rearmSoakFaults } from './soak-faults';

/**
 * Stops the cloud the nearest way a test in the cloud's own process has to kill -9 (test/restart does
 * the real one on `npm run up`; the soak cannot, as it drives the fault injector, the emulator's hooks
 * and the model server in process). In one synchronous step, everything that acts on its own stops:
 * every function sandbox (an invocation dies where it is, with no response: its SQS message stays in
 * flight and comes back after its visibility timeout, its side effects so far are done) and every Step
 * Functions execution (left RUNNING on disk, run again by the next cloud). Stopping them one after the
 * other would let one see the other die and record it, which a crash never does (an execution whose
 * task met a closed function would end FAILED). Then the rest closes without draining anything: the
 * queues, bus, archive, tables, buckets and predictions are on disk already.
 */
export async function crashCloud(cloud: EmbeddedCloud): Promise<void> {
  const killed = [...cloud.functions.values()].map((fn) => fn.close());
  cloud.emulator.sfn.close();
  await Promise.all(killed);
  await cloud.close();
}

/** The moment to restart: the poison has dead-lettered its job, a third of the jobs have ended, others run. */
export function isRestartMoment(
  jobs: readonly SoakJob[],
  records: ReadonlyMap<string, JobRecord | undefined>,
): boolean {
  const ended = jobs.filter((j) => isTerminal(records.get(j.jobId)));
  const poisonedEnded = jobs.filter((j) => j.poisoned).every((j) => ended.includes(j));
  return poisonedEnded && ended.length >= Math.ceil(jobs.length / 3) && ended.length < jobs.length;
}

export interface CloudRestart {
  cloud: EmbeddedCloud;
  armed: ArmedFault[];
  poison: Poison;
  /** The first cloud's fault report at its stop (its message accounting is carried into the new one's). */
  before: ChaosReport;
  handover: AuditHandover;
  /** Invocations the first cloud ran, to count crashes over both. */
  invocationsBefore: number;
  /** The first cloud's longest invocation per function (seconds). */
  longestBefore: Map<string, number>;
  /** Jobs not yet ended when the cloud was stopped. */
  jobsInFlight: string[];
  stopSec: number;
  startSec: number;
}

/**
 * Crashes `cloud` and starts the next one (`start`, on the same data folder), then carries the audit
 * in first (its consumers already run), the poison (before the plan queue could hand its message to
 * the function), the shortened timeouts and the faults.
 */
export async function restartCloud(
  cloud: EmbeddedCloud,
  state: {
    armed: readonly ArmedFault[];
    poison: Poison;
    jobsInFlight: string[];
    start: () => Promise<EmbeddedCloud>;
    shortenVisibility: (cloud: EmbeddedCloud) => Promise<void>;
  },
): Promise<CloudRestart> {
  const stopping = Date.now();
  await crashCloud(cloud);
  const handover = cloud.chaos.audit.handover();
  const before = cloud.chaos.report();
  const invocationsBefore = invocationCount(cloud);
  const longestBefore = longestInvocations(cloud);
  const starting = Date.now();
  const next = await state.start();
  next.chaos.audit.carry(handover);
  const poison = carryPoison(next, state.poison);
  await state.shortenVisibility(next);
  const armed = rearmSoakFaults(next, state.armed);
  return {
    cloud: next,
    armed,
    poison,
    before,
    handover,
    invocationsBefore,
    longestBefore,
    jobsInFlight: state.jobsInFlight,
    stopSec: (starting - stopping) / 1000,
    startSec: (Date.now() - starting) / 1000,
  };
}

/** Each function's longest invocation so far, in seconds: what the soak's short visibility timeouts must exceed. */
export function longestInvocations(
  cloud: EmbeddedCloud,
  before?: ReadonlyMap<string, number>,
): Map<string, number> {
  const longest = new Map(before);
  for (const [name, fn] of cloud.functions) {
    for (const span of fn.invocationSpans)
      longest.set(name, Math.max(longest.get(name) ?? 0, (span.endMs - span.startMs) / 1000));
  }
  return longest;
}

export function invocationCount(cloud: EmbeddedCloud): number {
  return [...cloud.functions.values()].reduce((n, fn) => n + fn.invocationSpans.length, 0);
}

/** Injections per kind of fault over both clouds (each report counts only its own cloud's). */
export function totalsOverRestart(
  before: ChaosReport | undefined,
  after: ChaosReport,
): ChaosReport['totals'] {
  const totals: ChaosReport['totals'] = { ...after.totals };
  for (const [kind, n] of Object.entries(before?.totals ?? {}) as Array<
    [keyof ChaosReport['totals'], number]
  >)
    totals[kind] = (totals[kind] ?? 0) + n;
  return totals;
}

/**
 * What the functions left in their TMPDIR (the data folder's tmp/, emptied by each start), and how many
 * sandboxes were killed since (crashes and timeouts: a killed sandbox cannot clean up, as a Lambda's
 * /tmp goes with its sandbox instead).
 */
export function functionTmpAtRest(cloud: EmbeddedCloud): { entries: string[]; crashes: number } {
  const dir = join(cloud.dataDir, 'tmp');
  const { totals } = cloud.chaos.report();
  return {
    entries: existsSync(dir) ? readdirSync(dir) : [],
    crashes: (totals.crash ?? 0) + (totals.timeout ?? 0),
  };
}
