import { type JobRequested, type JobSpec, jobRequested } from '@reelay/events';

/** One prompt of a job's lineage: the job itself and every job it was regenerated from. */
export interface PromptHistoryEntry {
  jobId: string;
  prompt?: string;
  createdAt: string;
}

export type Admission = 'RUNNING' | 'QUEUED' | 'RELEASED';

/** How a job ended, as far as the api knows (from the terminal events it consumes). */
export type JobOutcome = 'COMPLETED' | 'FAILED' | 'CANCELLED';

/** The api's own record of a job it accepted (ApiTable `JOB#<jobId>` / `JOB`). */
export interface ApiJob {
  jobId: string;
  userId: string;
  correlationId: string;
  spec: JobSpec;
  parentJobId?: string;
  uploadKeys: string[];
  styleReferenceKeys?: string[];
  createdAt: string;
  deadlineAt: string;
  /** The quota day (UTC) and units this job took, so a refund gives back exactly those. */
  quotaDay: string;
  quotaUnits: number;
  /** Set once JobRequested is on the bus; a retry with the same Idempotency-Key publishes it otherwise. */
  published: boolean;
  /**
   * The job's place under the per-user limit of concurrent jobs (src/admission): RUNNING holds one of
   * the user's slots, QUEUED waits for one (JobRequested not published yet), RELEASED ended and gave its
   * slot or its place back (exactly once, with the first terminal event). Absent on jobs accepted before
   * the limit existed: they hold no slot.
   */
  admission?: Admission;
  /** When the job got its slot (at submission, or when a queued job was started). */
  startedAt?: string;
  history: PromptHistoryEntry[];
  /** An episode of a series (src/series): the series and the item this job makes. */
  series?: { seriesId: string; itemId: string };
  /** The outcome by the shared rule (libs/events terminal-outcome.ts), the ledger's too. */
  outcome?: JobOutcome;
  /** The sort key of the terminal event that decided `outcome`: a later event replaces it only with a lower one. */
  outcomeKey?: string;
  /** When the job was first seen to end (an overturned outcome keeps it) and when it was last overturned. */
  endedAt?: string;
  overturnedAt?: string;
  refundedAt?: string;
  cancelledAt?: string;
  /** The failure that decided the outcome (the one the callback reports). */
  failure?: { stage: string; code: string; reason: string };
  /** A failure the job no longer has: a dead letter it recovered from, or one a video composed before it overturned. */
  recoveredFailure?: { stage: string; code: string; reason: string };
}

/**
 * The JobRequested event of a job, always built from the stored record: re-publishing after a crash
 * sends the same event (same correlation id and time) as the first attempt would have.
 */
export function jobRequestedOf(job: ApiJob): JobRequested {
  return jobRequested.schema.parse({
    version: 1,
    jobId: job.jobId,
    meta: { userId: job.userId, correlationId: job.correlationId, occurredAt: job.createdAt },
    spec: job.spec,
    ...(job.parentJobId ? { parentJobId: job.parentJobId } : {}),
    uploadKeys: job.uploadKeys,
    ...(job.styleReferenceKeys?.length ? { styleReferenceKeys: job.styleReferenceKeys } : {}),
    deadlineAt: job.deadlineAt,
    ...(job.series ? { series: job.series } : {}),
  });
}
