import type { JobFailed, VideoComposed } from '@reelay/events';
import { type DeliveryDeps, scheduleDelivery } from '../callbacks/deliveries';
import { readApiJob } from '../jobs/create-job';
import { recordJobFailed, recordVideoComposed } from './record-outcome';

export type TerminalEvent =
  | { type: 'VideoComposed'; detail: VideoComposed }
  | { type: 'JobFailed'; detail: JobFailed };

/**
 * api.notify: a job ended. Records the outcome once (refunding the quota of a failed or cancelled job),
 * then schedules the user's callback for the outcome that won. Every step is idempotent, so a redelivered
 * or replayed event re-runs safely and never sends a second callback.
 */
export async function handleTerminalEvent(event: TerminalEvent, deps: DeliveryDeps): Promise<string> {
  const recorded =
    event.type === 'VideoComposed'
      ? await recordVideoComposed(event.detail, deps)
      : await recordJobFailed(event.detail, deps);
  if (recorded === 'unknown-job') return recorded;
  const job = await readApiJob(event.detail.jobId, deps);
  if (!job?.outcome) return recorded;
  if (event.type === 'VideoComposed' && job.outcome === 'COMPLETED') {
    const d = event.detail;
    await scheduleDelivery(
      job,
      'job.completed',
      {
        status: 'COMPLETED',
        durationSec: d.durationSec,
        width: d.width,
        height: d.height,
        bytes: d.bytes,
        statusUrl: `/jobs/${job.jobId}`,
      },
      deps,
    );
  } else if (event.type === 'JobFailed' && job.outcome !== 'COMPLETED') {
    const d = event.detail;
    await scheduleDelivery(
      job,
      'job.failed',
      {
        status: job.outcome === 'CANCELLED' ? 'CANCELLED' : 'FAILED',
        stage: job.failure?.stage ?? d.stage,
        code: job.failure?.code ?? d.code,
        reason: job.failure?.reason ?? d.reason,
        statusUrl: `/jobs/${job.jobId}`,
      },
      deps,
    );
  }
  return recorded;
}
