import type { ApiJob } from '../jobs/api-job';
import { ADMISSION_SK, queueSk, userPk } from '../table/api-table';
import type { AdmissionPolicy } from './admission-policy';

/**
 * The transaction items that place a new job under the user's limit, one of two ways whose conditions
 * are each other's negation on the same ADMISSION item, so exactly one of them commits against any state:
 *
 * - RUNNING takes a slot: only while fewer than the limit run AND nobody waits (a newcomer never
 *   overtakes a queued job of the same user); with it a STARTING entry in the queue, the mark of a job
 *   admitted whose JobRequested is not published yet (an outbox entry): the submit deletes it once it
 *   has published, and if the submit dies first, whoever finds it older than ABANDONED_START_MS
 *   publishes the job (src/admission/start-queued-jobs.ts), so a crash never leaves a slot held by a
 *   job that never runs;
 * - QUEUED takes a place in the queue (a QUEUE# entry, sorted by the job's ULID): only while the slots
 *   are full or someone already waits. Queueing while a slot is free would strand the job, since only
 *   the end of one of the user's jobs starts a queued one.
 */
export function admissionItems(
  table: string,
  job: Pick<ApiJob, 'jobId' | 'userId' | 'createdAt'>,
  admission: 'RUNNING' | 'QUEUED',
  policy: AdmissionPolicy,
) {
  const key = { pk: userPk(job.userId), sk: ADMISSION_SK };
  if (admission === 'RUNNING')
    return [
      {
        Update: {
          TableName: table,
          Key: key,
          UpdateExpression: 'ADD running :one',
          ConditionExpression:
            '(attribute_not_exists(running) OR running < :limit) AND (attribute_not_exists(queued) OR queued <= :zero)',
          ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':limit': policy.maxConcurrentJobs },
        },
      },
      {
        Put: {
          TableName: table,
          Item: {
            pk: userPk(job.userId),
            sk: queueSk(job.jobId),
            jobId: job.jobId,
            state: 'STARTING',
            startingAt: job.createdAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
  return [
    {
      Update: {
        TableName: table,
        Key: key,
        UpdateExpression: 'ADD queued :one',
        ConditionExpression: 'running >= :limit OR queued > :zero',
        ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':limit': policy.maxConcurrentJobs },
      },
    },
    {
      Put: {
        TableName: table,
        Item: {
          pk: userPk(job.userId),
          sk: queueSk(job.jobId),
          jobId: job.jobId,
          state: 'QUEUED',
          queuedAt: job.createdAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

/**
 * The items that give back what a job held when it first ends (the transaction that sets `endedAt`, so
 * once per job whatever is redelivered or overturned later): a RUNNING job its slot, a QUEUED one its
 * place in the queue (cancelled before it started: it never generated anything). Empty for a job that
 * holds neither (accepted before the limit existed, or already released).
 */
export function releaseItems(table: string, job: ApiJob) {
  if (job.endedAt) return [];
  // One of the user's admission counters, less one.
  const decrement = (counter: 'running' | 'queued') => ({
    Update: {
      TableName: table,
      Key: { pk: userPk(job.userId), sk: ADMISSION_SK },
      UpdateExpression: `ADD ${counter} :minusOne`,
      ExpressionAttributeValues: { ':minusOne': -1 },
    },
  });
  if (job.admission === 'RUNNING') return [decrement('running')];
  if (job.admission === 'QUEUED')
    return [
      decrement('queued'),
      {
        Delete: {
          TableName: table,
          Key: { pk: userPk(job.userId), sk: queueSk(job.jobId) },
          ConditionExpression: '#state = :queued',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':queued': 'QUEUED' },
        },
      },
    ];
  return [];
}
