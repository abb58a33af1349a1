/**
 * The jobs table (owned by the ledger): one partition per job, JOB#<jobId>, holding
 * JOB (status and summary), SCENE#nn (one per scene), EVENT#<type>#<scene>[#<stage>] (timeline),
 * USAGE#<predictionId> (one charge per prediction) and DEAD#<queue>#<hash> (kept dead messages);
 * and one partition per user's usage, USAGE#<userId>, with DAY#<yyyy-mm-dd> totals.
 */
export const JOB_STATUSES = [
  'REQUESTED',
  'PLANNED',
  'RENDERING',
  'COMPOSING',
  'COMPLETED',
  'FAILED',
  /** Ended by the user's cancel (a JobFailed of stage `cancel` that won the outcome): its own outcome, not a failure. */
  'CANCELLED',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** Status only moves forward: a late or replayed event never moves a finished job back. */
export const STATUS_RANK: Record<JobStatus, number> = {
  REQUESTED: 1,
  PLANNED: 2,
  RENDERING: 3,
  COMPOSING: 4,
  COMPLETED: 9,
  FAILED: 9,
  CANCELLED: 9,
};
export const FINISHED_RANK = 9;
/** The statuses a job ends in: nothing moves it on (a redrive may still turn a retryable FAILED into COMPLETED). */
export const ENDED_STATUSES: readonly string[] = ['COMPLETED', 'FAILED', 'CANCELLED'] satisfies JobStatus[];
/** Whether a status (the ledger's, or the api's, which adds QUEUED) is one a job ends in. */
export const isEndedStatus = (status: string | undefined): boolean =>
  status !== undefined && ENDED_STATUSES.includes(status);

const two = (n: number) => String(n).padStart(2, '0');

export const jobPk = (jobId: string) => `JOB#${jobId}`;
export const JOB_SK = 'JOB';
export const sceneSk = (index: number) => `SCENE#${two(index)}`;
export const timelineSk = (detailType: string, sceneIndex?: number, qualifier?: string) =>
  `EVENT#${detailType}#${sceneIndex === undefined ? '-' : two(sceneIndex)}${qualifier ? `#${qualifier}` : ''}`;
export const usageSk = (predictionId: string) => `USAGE#${predictionId}`;
export const deadMessageSk = (deadLetterQueue: string, bodyHash: string) =>
  `DEAD#${deadLetterQueue}#${bodyHash}`;

export const userUsagePk = (userId: string) => `USAGE#${userId}`;
/** A UTC day, yyyy-mm-dd, from an ISO timestamp. */
export const usageDay = (isoTime: string) => isoTime.slice(0, 10);
export const userUsageSk = (day: string) => `DAY#${day}`;

/** The sparse index of unfinished jobs by deadline: only jobs still open carry its keys. */
export const OPEN_JOBS_INDEX = 'open-jobs';
export const OPEN_JOBS_SHARD = 'OPEN';
