import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type EventPublisher, jobRequested } from '@reelay/events';
import { type ApiJob, jobRequestedOf } from '../jobs/api-job';
import { markPublished, readApiJob, type TableDeps } from '../jobs/create-job';
import {
  ADMISSION_SK,
  API_JOB_SK,
  apiJobPk,
  jobIndexSk,
  QUEUE_PREFIX,
  queueSk,
  userPk,
} from '../table/api-table';
import type { AdmissionPolicy, QueueEntryState } from './admission-policy';

export interface StartQueuedJobsDeps extends TableDeps {
  publisher: Pick<EventPublisher, 'publish'>;
  admission: AdmissionPolicy;
  now?: () => Date;
}

/** Admissions tried per call: each admits one job or learns why not; the next terminal event goes on. */
const MAX_ROUNDS = 20;
/** Entries read per round: STARTING ones (a few at most) come before the oldest QUEUED one. */
const PAGE = 50;
/**
 * A STARTING entry older than this was left by a run that died between the start and the publish (notify
 * runs at most 20 s, submitJob 28 s: serverless.yml): another run publishes it. A younger one is its
 * starter's to publish, so runs that overlap (two jobs ending at once) do not publish the same
 * JobRequested twice.
 */
export const ABANDONED_START_MS = 60_000;

/**
 * Starts the user's oldest QUEUED jobs while they have free slots (api.notify runs it after every
 * terminal event of theirs, decided, duplicate or replayed alike). Each start is one transaction,
 * conditional on a free slot and on the job still waiting, so concurrent runs (two jobs ending at once)
 * never start one job twice or exceed the limit. The start marks the queue entry STARTING; JobRequested
 * is published after it and the entry deleted after that, so a crash in between is finished by a later
 * run (the terminal event is redelivered after its visibility timeout, longer than ABANDONED_START_MS).
 * A job admitted at submission carries the same STARTING entry until its submit has published it: one
 * whose submit died is published here too once abandoned (api README, "Per-user limit"), and an entry
 * whose job is already published or ended is dropped whatever its age.
 * Returns the job ids it published.
 */
export async function startQueuedJobs(userId: string, deps: StartQueuedJobsDeps): Promise<string[]> {
  const started: string[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const entries = await queueEntries(userId, deps);
    const now = (deps.now?.() ?? new Date()).getTime();
    for (const entry of entries.filter((e) => e.state === 'STARTING')) {
      const abandoned = now - Date.parse(entry.startingAt ?? '') >= ABANDONED_START_MS;
      if (await finishStart(userId, entry.jobId, abandoned, deps)) started.push(entry.jobId);
    }
    const next = entries.find((e) => e.state === 'QUEUED');
    if (!next) return started;
    const admitted = await admit(userId, next.jobId, deps);
    if (admitted === 'no-slot') return started;
    if (admitted === 'admitted' && (await finishStart(userId, next.jobId, true, deps)))
      started.push(next.jobId);
    // 'taken': another run admitted it, or it ended (cancelled) meanwhile: read the queue again.
  }
  return started;
}

async function queueEntries(userId: string, deps: TableDeps) {
  const res = await deps.doc.send(
    new QueryCommand({
      TableName: deps.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': QUEUE_PREFIX },
      ConsistentRead: true,
      Limit: PAGE,
    }),
  );
  return (res.Items ?? []).map((i) => ({
    jobId: String(i.jobId),
    state: i.state as QueueEntryState,
    startingAt: typeof i.startingAt === 'string' ? i.startingAt : undefined,
  }));
}

/** Gives the job a slot: the slot, the entry's state, the job's admission and its list entry move together. */
async function admit(
  userId: string,
  jobId: string,
  deps: StartQueuedJobsDeps,
): Promise<'admitted' | 'no-slot' | 'taken'> {
  const job = await readApiJob(jobId, deps);
  if (job?.admission !== 'QUEUED' || job.endedAt) return 'taken';
  const now = deps.now?.() ?? new Date();
  // The deadline counts from the start: time spent waiting for a slot is not the job's to lose.
  const deadlineAt = new Date(now.getTime() + job.spec.deadlineSec * 1000).toISOString();
  try {
    await deps.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: deps.table,
              Key: { pk: userPk(userId), sk: ADMISSION_SK },
              UpdateExpression: 'ADD running :one, queued :minusOne',
              ConditionExpression: 'attribute_not_exists(running) OR running < :limit',
              ExpressionAttributeValues: {
                ':one': 1,
                ':minusOne': -1,
                ':limit': deps.admission.maxConcurrentJobs,
              },
            },
          },
          {
            Update: {
              TableName: deps.table,
              Key: { pk: userPk(userId), sk: queueSk(jobId) },
              UpdateExpression: 'SET #state = :starting, startingAt = :now',
              ConditionExpression: '#state = :queued',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: {
                ':starting': 'STARTING',
                ':queued': 'QUEUED',
                ':now': now.toISOString(),
              },
            },
          },
          {
            Update: {
              TableName: deps.table,
              Key: { pk: apiJobPk(jobId), sk: API_JOB_SK },
              UpdateExpression: 'SET admission = :running, startedAt = :now, deadlineAt = :deadline',
              ConditionExpression: 'admission = :queued AND attribute_not_exists(endedAt)',
              ExpressionAttributeValues: {
                ':running': 'RUNNING',
                ':queued': 'QUEUED',
                ':now': now.toISOString(),
                ':deadline': deadlineAt,
              },
            },
          },
          {
            Update: {
              TableName: deps.table,
              Key: { pk: userPk(userId), sk: jobIndexSk(jobId) },
              UpdateExpression: 'REMOVE queued',
            },
          },
        ],
      }),
    );
    return 'admitted';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
    if (codes[0] === 'ConditionalCheckFailed') return 'no-slot';
    if (codes.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) return 'taken';
    throw error;
  }
}

/**
 * A STARTING entry: its job published (when `mayPublish`: this run started it, or its starter is gone)
 * and the entry dropped; an entry whose job is published or ended already is only dropped; a young
 * one of a job still unpublished is left to its starter. True when it published.
 */
async function finishStart(
  userId: string,
  jobId: string,
  mayPublish: boolean,
  deps: StartQueuedJobsDeps,
): Promise<boolean> {
  const job = await readApiJob(jobId, deps);
  const settled = !job || job.published || Boolean(job.endedAt);
  if (!settled && !mayPublish) return false;
  if (!job) {
    await dropQueueEntry(userId, jobId, deps);
    return false;
  }
  return publishAdmittedJob(job, deps);
}

/**
 * Publishes the JobRequested of an admitted job (built from its stored record, so a re-publish is the
 * same event) unless it is published or ended already, then drops its STARTING entry. True when it
 * published. The submit calls it for the job it just admitted.
 */
export async function publishAdmittedJob(
  job: ApiJob,
  deps: TableDeps & { publisher: Pick<EventPublisher, 'publish'> },
): Promise<boolean> {
  const publish = !job.endedAt && !job.published;
  if (publish) {
    await deps.publisher.publish(jobRequested, jobRequestedOf(job));
    await markPublished(job.jobId, deps);
  }
  await dropQueueEntry(job.userId, job.jobId, deps);
  return publish;
}

async function dropQueueEntry(userId: string, jobId: string, deps: TableDeps): Promise<void> {
  await deps.doc.send(
    new DeleteCommand({
      TableName: deps.table,
      Key: { pk: userPk(userId), sk: queueSk(jobId) },
    }),
  );
}
