import { CompositionLeasedElsewhereError } from '../errors';
import { type ComposeDeps, type ComposeOutcome, composeJob } from './compose-job';

/**
 * The longest a request waits before it looks at a held lease again: the holder, alive, usually
 * publishes long before its lease ends, and then the waiting request is done within this time.
 */
export const LEASE_RECHECK_SEC = 15;

export interface ComposeRequestDeps extends ComposeDeps {
  /**
   * Queues the same compose request again, delivered after that many seconds (SendMessage with
   * DelaySeconds); the request being handled is then consumed.
   */
  requeue: (delaySec: number) => Promise<void>;
}

export type ComposeRequestOutcome = ComposeOutcome | 'requeued';

/**
 * Seconds until a held lease is looked at again: just past its end (claimLease needs
 * `leaseUntil < now`), and no later than LEASE_RECHECK_SEC.
 */
export function secondsBeforeRecheck(leaseUntil: number | undefined, now: number): number {
  if (leaseUntil === undefined) return 0;
  return Math.min(LEASE_RECHECK_SEC, Math.max(0, Math.floor((leaseUntil - now) / 1000) + 1));
}

/**
 * One compose request from the queue. A request that finds the composition leased by another
 * composer, and the video not published, is not dropped: it is queued again with a delay and comes
 * back to find the video published (the holder was alive) or the lease expired (the holder died: it
 * claims the lease and finishes the job). README "Composition lease" says why a new message and not
 * a longer visibility timeout.
 */
export async function composeRequest(
  jobId: string,
  deps: ComposeRequestDeps,
): Promise<ComposeRequestOutcome> {
  try {
    return await composeJob(jobId, deps);
  } catch (error) {
    if (!(error instanceof CompositionLeasedElsewhereError)) throw error;
    await deps.requeue(secondsBeforeRecheck(error.leaseUntil, deps.now?.() ?? Date.now()));
    return 'requeued';
  }
}
