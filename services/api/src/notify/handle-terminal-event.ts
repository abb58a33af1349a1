import { terminalClaim } from '@reelay/events';
import {
  type CallbackEvent,
  type DeliveryDeps,
  readDelivery,
  scheduleDelivery,
} from '../callbacks/deliveries';
import { readApiJob } from '../jobs/create-job';
import { type RecordedOutcome, recordTerminalOutcome, type TerminalEvent } from './record-outcome';

export type { TerminalEvent } from './record-outcome';

/**
 * api.notify: a job ended. Records the outcome by the shared rule (refunding the quota of a failed or
 * cancelled job, taking it back if the job turns COMPLETED), then schedules the user's callback for the
 * event that won. A callback already sent for an outcome that lost is answered by the winner's callback,
 * which names the event it supersedes; one not yet sent is dropped at send time (deliverCallback).
 * Every step is idempotent, so a redelivered or replayed event re-runs safely and sends nothing twice.
 */
export async function handleTerminalEvent(
  event: TerminalEvent,
  deps: DeliveryDeps,
): Promise<RecordedOutcome> {
  const recorded = await recordTerminalOutcome(event, deps);
  if (recorded === 'unknown-job') return recorded;
  const job = await readApiJob(event.detail.jobId, deps);
  const claim = terminalClaim(event);
  // Only the winner calls back; scheduling again for a duplicate of it recovers a crash before the queueing.
  if (!job?.outcome || job.outcomeKey !== claim.key) return recorded;
  const callback: CallbackEvent = event.type === 'VideoComposed' ? 'job.completed' : 'job.failed';
  const other: CallbackEvent = callback === 'job.completed' ? 'job.failed' : 'job.completed';
  // The other event's callback may have reached the receiver unless it is known never to have been sent.
  const previous = await readDelivery(job.jobId, other, deps);
  const mayHaveBeenSent = previous && !(previous.status === 'SUPERSEDED' && previous.attempts === 0);
  const supersedes = mayHaveBeenSent ? { supersedes: other } : {};
  const common = { statusUrl: `/jobs/${job.jobId}`, occurredAt: claim.occurredAt, ...supersedes };
  if (event.type === 'VideoComposed') {
    const d = event.detail;
    await scheduleDelivery(
      job,
      callback,
      {
        status: 'COMPLETED',
        durationSec: d.durationSec,
        width: d.width,
        height: d.height,
        bytes: d.bytes,
        ...common,
      },
      claim.key,
      deps,
    );
  } else {
    const d = event.detail;
    await scheduleDelivery(
      job,
      callback,
      {
        status: job.outcome === 'CANCELLED' ? 'CANCELLED' : 'FAILED',
        stage: d.stage,
        code: d.code,
        reason: d.reason,
        ...common,
      },
      claim.key,
      deps,
    );
  }
  return recorded;
}
