import { terminalClaim } from '@reelay/events';
import { type StartQueuedJobsDeps, startQueuedJobs } from '../admission/start-queued-jobs';
import {
  type CallbackEvent,
  type DeliveryDeps,
  readDelivery,
  scheduleDelivery,
} from '../callbacks/deliveries';
import { readApiJob } from '../jobs/create-job';
import { type RecordedOutcome, recordTerminalOutcome, type TerminalEvent } from './record-outcome';

export type { TerminalEvent } from './record-outcome';

export type NotifyDeps = DeliveryDeps & {
  /**
   * What starts the user's queued jobs once one of theirs ended (the publisher of JobRequested and the
   * limit). api.notify always passes it; without it (tests of outcomes and callbacks alone) no queued
   * job is started.
   */
  admission?: Pick<StartQueuedJobsDeps, 'publisher' | 'admission' | 'now'>;
};

/**
 * api.notify: a job ended. Records the outcome by the shared rule (refunding the quota of a failed or
 * cancelled job, taking it back if the job turns COMPLETED), then schedules the user's callback for the
 * event that won. A callback already sent for an outcome that lost is answered by the winner's callback,
 * which names the event it supersedes; one not yet sent is dropped at send time (deliverCallback).
 * Then starts the user's oldest queued jobs into the slots free (the outcome gave back the job's slot):
 * run for every event, duplicates included, so a start that crashed before its JobRequested is finished.
 * Every step is idempotent, so a redelivered or replayed event re-runs safely and sends nothing twice.
 */
export async function handleTerminalEvent(event: TerminalEvent, deps: NotifyDeps): Promise<RecordedOutcome> {
  const recorded = await recordTerminalOutcome(event, deps);
  if (recorded === 'unknown-job') return recorded;
  const job = await readApiJob(event.detail.jobId, deps);
  if (job && deps.admission) await startQueuedJobs(job.userId, { ...deps, ...deps.admission });
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
