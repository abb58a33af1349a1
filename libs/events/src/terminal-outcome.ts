import type { JobFailed } from './events/job-failed';
import type { VideoComposed } from './events/video-composed';

/**
 * Which terminal event decides a job's outcome when several arrive (docs/architecture.md, "One outcome
 * per job"). The api and the ledger both apply this one rule, so they agree whatever order their queues
 * deliver the events in:
 *
 * 1. A decisive event beats a provisional one. VideoComposed is decisive; so is a JobFailed that no
 *    redrive can undo (not retryable, or a cancel or a timeout). A retryable JobFailed (a dead letter)
 *    is provisional: the job shows FAILED, and any decisive event replaces it.
 * 2. Between events of the same class, the one that happened first (`meta.occurredAt`, to the
 *    millisecond) wins: a video composed before the cancel or the timeout was published stands; a
 *    cancel the user sent before the composition finished stands.
 * 3. At the same millisecond, VideoComposed wins (the video exists and its work is charged), then the
 *    failures by stage and code. Two events with the same key say the same thing; the first kept stays.
 *
 * The EventBridge event id is not a tie-break: a producer that retries a publish makes a new id for the
 * same fact, and the api's consumer sees only the detail.
 */
export const FINAL_FAILURE_STAGES: ReadonlySet<string> = new Set(['cancel', 'timeout']);

export type TerminalEvent =
  | { type: 'VideoComposed'; detail: Pick<VideoComposed, 'meta'> }
  | { type: 'JobFailed'; detail: Pick<JobFailed, 'meta' | 'stage' | 'code' | 'retryable'> };

export interface TerminalClaim {
  outcome: 'COMPLETED' | 'FAILED';
  /** False for a failure a redrive can undo: any decisive event replaces it. */
  decisive: boolean;
  /** The event's own time, normalised to milliseconds. */
  occurredAt: string;
  /**
   * The claim as one string that sorts by the rule above (the lower key wins), so both services store it
   * beside the outcome and a conditional write can check the outcome it replaces.
   */
  key: string;
}

/** Whether a failure can still be undone by a redrive (a dead letter), so a later video recovers the job. */
export function isProvisionalFailure(failure: Pick<JobFailed, 'stage' | 'retryable'>): boolean {
  return failure.retryable && !FINAL_FAILURE_STAGES.has(failure.stage);
}

export function terminalClaim(event: TerminalEvent): TerminalClaim {
  const occurredAt = new Date(event.detail.meta.occurredAt).toISOString();
  if (event.type === 'VideoComposed')
    return { outcome: 'COMPLETED', decisive: true, occurredAt, key: `1|${occurredAt}|1` };
  const decisive = !isProvisionalFailure(event.detail);
  return {
    outcome: 'FAILED',
    decisive,
    occurredAt,
    key: `${decisive ? 1 : 2}|${occurredAt}|2|${event.detail.stage}|${event.detail.code}`,
  };
}

/**
 * Whether a claim replaces the outcome decided so far (`currentKey`, undefined when none is). Equal keys
 * do not: a duplicate, redelivery or replay changes nothing.
 */
export function claimWins(claim: Pick<TerminalClaim, 'key'>, currentKey: string | undefined): boolean {
  return currentKey === undefined || claim.key < currentKey;
}

/**
 * Another consumer decided the job's outcome between our read and our conditional write, every time we
 * tried: retryable, so the queue delivers the event again and it is compared with the new outcome.
 */
export class OutcomeWriteContendedError extends Error {
  readonly retryable = true;
  constructor(jobId: string) {
    super(`the outcome of job ${jobId} kept changing under us; the queue retries the event`);
    this.name = 'OutcomeWriteContendedError';
  }
}
