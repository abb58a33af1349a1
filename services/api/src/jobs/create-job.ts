import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type AdmissionPolicy, defaultAdmissionPolicy } from '../admission/admission-policy';
import { admissionItems } from '../admission/admission-writes';
import { API_JOB_SK, apiJobPk, idempotencySk, jobIndexSk, quotaSk, userPk } from '../table/api-table';
import type { ApiJob } from './api-job';
import { JobCreationContendedError } from './job-errors';
import type { QuotaPolicy } from './quota';

export interface TableDeps {
  doc: DynamoDBDocumentClient;
  table: string;
}

export interface IdempotencyClaim {
  key: string;
  /** sha256 of the validated request: the same key with another request is refused. */
  requestHash: string;
}

export type CreateJobOutcome =
  | { kind: 'created'; job: ApiJob }
  | { kind: 'replayed'; job: ApiJob }
  | { kind: 'key-reused' }
  | { kind: 'quota-exceeded'; limit: number; units: number };

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const IDEMPOTENCY_TTL_SEC = 24 * 3600;
const QUOTA_TTL_SEC = 3 * 24 * 3600;
const MAX_CONFLICT_RETRIES = 25;

/**
 * Creates a job in ONE transaction: the Idempotency-Key claim, the day's quota counter (refused when
 * spent), the job record, the user's job index and its admission under the per-user limit of concurrent
 * jobs (a slot, or a place in the queue: src/admission). Either all of them are written or none.
 */
export async function createJob(
  newJob: Omit<ApiJob, 'admission' | 'startedAt'>,
  idempotency: IdempotencyClaim | undefined,
  policy: QuotaPolicy,
  deps: TableDeps & { sleep?: (ms: number) => Promise<void> },
  admissionPolicy: AdmissionPolicy = defaultAdmissionPolicy,
): Promise<CreateJobOutcome> {
  if (newJob.quotaUnits > policy.perDay)
    return { kind: 'quota-exceeded', limit: policy.perDay, units: newJob.quotaUnits };
  // A slot first; when the user's slots are full (or others wait) the job waits its turn instead.
  let admission: 'RUNNING' | 'QUEUED' = 'RUNNING';
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    const job: ApiJob = {
      ...newJob,
      admission,
      ...(admission === 'RUNNING' ? { startedAt: newJob.createdAt } : {}),
    };
    const items = creationItems(job, idempotency, policy, deps.table);
    const admissionAt = items.length;
    items.push(...admissionItems(deps.table, job, admission, admissionPolicy));
    try {
      await deps.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return { kind: 'created', job };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
      if (idempotency && codes[3] === 'ConditionalCheckFailed') {
        const existing = await findIdempotentJob(job.userId, idempotency, deps);
        if (existing) return existing;
        // The key's record expired between the transaction and the read: try again.
      } else if (codes[0] === 'ConditionalCheckFailed') {
        return { kind: 'quota-exceeded', limit: policy.perDay, units: job.quotaUnits };
      } else if (codes[admissionAt] === 'ConditionalCheckFailed') {
        // The slots filled (or freed) since the last try: the other way is the one that commits now.
        admission = admission === 'RUNNING' ? 'QUEUED' : 'RUNNING';
        if (attempt < MAX_CONFLICT_RETRIES) continue;
      } else if (!codes.some((c) => c === 'TransactionConflict' || c === 'None')) {
        throw error;
      }
      if (attempt >= MAX_CONFLICT_RETRIES) throw new JobCreationContendedError(attempt);
      // Full jitter: concurrent submissions of one user contend for the same quota counter.
      await sleep(Math.random() * Math.min(400, 10 * 2 ** attempt));
    }
  }
}

/** The job's own items: quota counter, job record, index entry and Idempotency-Key claim (index 3). */
function creationItems(
  job: ApiJob,
  idempotency: IdempotencyClaim | undefined,
  policy: QuotaPolicy,
  table: string,
): TransactItem[] {
  const nowSec = Math.floor(Date.parse(job.createdAt) / 1000);
  return [
    {
      Update: {
        TableName: table,
        Key: { pk: userPk(job.userId), sk: quotaSk(job.quotaDay) },
        UpdateExpression: 'ADD used :units SET expiresAt = :expires',
        ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
        ExpressionAttributeValues: {
          ':units': job.quotaUnits,
          ':room': policy.perDay - job.quotaUnits,
          ':expires': nowSec + QUOTA_TTL_SEC,
        },
      },
    },
    {
      Put: {
        TableName: table,
        Item: { pk: apiJobPk(job.jobId), sk: API_JOB_SK, ...job },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: table,
        Item: {
          pk: userPk(job.userId),
          sk: jobIndexSk(job.jobId),
          jobId: job.jobId,
          createdAt: job.createdAt,
          recipe: job.spec.recipe,
          ...(job.spec.prompt ? { prompt: job.spec.prompt } : {}),
          ...(job.parentJobId ? { parentJobId: job.parentJobId } : {}),
          // Shown as QUEUED in GET /jobs until the job starts (the ledger knows nothing of it before).
          ...(job.admission === 'QUEUED' ? { queued: true } : {}),
        },
      },
    },
    ...(idempotency
      ? [
          {
            Put: {
              TableName: table,
              Item: {
                pk: userPk(job.userId),
                sk: idempotencySk(idempotency.key),
                jobId: job.jobId,
                requestHash: idempotency.requestHash,
                expiresAt: nowSec + IDEMPOTENCY_TTL_SEC,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ]
      : []),
  ];
}

async function findIdempotentJob(
  userId: string,
  idempotency: IdempotencyClaim,
  deps: TableDeps,
): Promise<CreateJobOutcome | undefined> {
  const { Item: claim } = await deps.doc.send(
    new GetCommand({
      TableName: deps.table,
      Key: { pk: userPk(userId), sk: idempotencySk(idempotency.key) },
      ConsistentRead: true,
    }),
  );
  if (!claim) return undefined;
  if (claim.requestHash !== idempotency.requestHash) return { kind: 'key-reused' };
  const job = await readApiJob(String(claim.jobId), deps);
  return job ? { kind: 'replayed', job } : undefined;
}

export async function readApiJob(jobId: string, deps: TableDeps): Promise<ApiJob | undefined> {
  const { Item } = await deps.doc.send(
    new GetCommand({
      TableName: deps.table,
      Key: { pk: apiJobPk(jobId), sk: API_JOB_SK },
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, ...job } = Item;
  return job as ApiJob;
}

/** The user's job, or undefined when it does not exist or belongs to someone else (both answer 404). */
export async function readOwnJob(
  userId: string,
  jobId: string,
  deps: TableDeps,
): Promise<ApiJob | undefined> {
  const job = await readApiJob(jobId, deps);
  return job && job.userId === userId ? job : undefined;
}

export async function markPublished(jobId: string, deps: TableDeps): Promise<void> {
  await deps.doc.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: { pk: apiJobPk(jobId), sk: API_JOB_SK },
      UpdateExpression: 'SET published = :true',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':true': true },
    }),
  );
}
