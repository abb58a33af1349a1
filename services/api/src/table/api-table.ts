/**
 * The api's own table (ApiTable, reelay-api-<stage>): one table, items told apart by their keys.
 *
 * - `USER#<userId>` / `JOB#<jobId>`          the user's job index (ULIDs sort by time: newest first)
 * - `USER#<userId>` / `UPLOAD#<uploadId>`    an upload, validated on first use
 * - `USER#<userId>` / `CALLBACK`             the user's callback URL and Standard Webhooks secret
 * - `USER#<userId>` / `QUOTA#<yyyy-mm-dd>`   the day's quota counter
 * - `USER#<userId>` / `IDEMPOTENCY#<key>`    an Idempotency-Key and the job it created
 * - `USER#<userId>` / `ADMISSION`            how many of the user's jobs run (`running`) and wait (`queued`)
 * - `USER#<userId>` / `QUEUE#<jobId>`        a job waiting for a slot (QUEUED), or admitted and not yet
 *                                            published (STARTING); ULIDs sort by submission: oldest first
 * - `JOB#<jobId>`   / `JOB`                  the api's job: owner, spec, quota units, prompt history
 * - `JOB#<jobId>`   / `DELIVERY#<event>`     one callback delivery per job and terminal event
 *
 * Everything a user owns lives under their own partition, so another user's id never finds it.
 */
export const userPk = (userId: string) => `USER#${userId}`;
export const jobIndexSk = (jobId: string) => `JOB#${jobId}`;
export const uploadSk = (uploadId: string) => `UPLOAD#${uploadId}`;
export const CALLBACK_SK = 'CALLBACK';
export const quotaSk = (day: string) => `QUOTA#${day}`;
export const idempotencySk = (key: string) => `IDEMPOTENCY#${key}`;
export const apiJobPk = (jobId: string) => `JOB#${jobId}`;
export const API_JOB_SK = 'JOB';
export const deliverySk = (event: string) => `DELIVERY#${event}`;

export const JOB_INDEX_PREFIX = 'JOB#';
export const ADMISSION_SK = 'ADMISSION';
export const QUEUE_PREFIX = 'QUEUE#';
export const queueSk = (jobId: string) => `${QUEUE_PREFIX}${jobId}`;
