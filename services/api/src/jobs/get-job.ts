import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ulidSchema } from '@reelay/events';
import { type JobRecord, readJobRecord } from '@reelay/job-records';
import { type HttpResponse, json } from '@reelay/lambda';
import { apiJobPk } from '../table/api-table';
import type { ApiJob } from './api-job';
import { readApiJob } from './create-job';
import { InvalidJobIdError, JobNotFoundError } from './job-errors';

export interface GetJobDeps {
  doc: DynamoDBDocumentClient;
  /** The ledger's jobs table (status, scenes, timeline, cost). */
  jobsTable: string;
  /** The api's own table (owner, prompt history, callback deliveries). */
  table: string;
  s3: S3Client;
  mediaBucket: string;
  /** How long the presigned output links live. */
  linkTtlSec?: number;
}

/** The job id of a path: a ULID, or InvalidJobIdError. */
export function pathJobId(jobId: string | undefined): string {
  if (!jobId || !ulidSchema.safeParse(jobId).success) throw new InvalidJobIdError();
  return jobId;
}

/** GET /jobs/{jobId}: status, scene progress, timeline, cost, prompt history and short-lived output links. */
export async function getJob(
  userId: string,
  pathParameter: string | undefined,
  deps: GetJobDeps,
): Promise<HttpResponse> {
  const jobId = pathJobId(pathParameter);
  const [apiJob, record] = await Promise.all([
    readApiJob(jobId, deps),
    readJobRecord(deps.doc, deps.jobsTable, jobId),
  ]);
  // Another user's job is indistinguishable from a missing one.
  const owner = apiJob?.userId ?? record?.userId;
  if (!owner || owner !== userId) throw new JobNotFoundError(jobId);
  return json(200, {
    ...(record ?? pendingRecord(apiJob as ApiJob)),
    ...(apiJob
      ? {
          // The ledger learns a job's creation from its JobRequested: one cancelled while QUEUED never had one.
          createdAt: record?.createdAt ?? apiJob.createdAt,
          history: apiJob.history,
          ...(apiJob.cancelledAt ? { cancelledAt: apiJob.cancelledAt } : {}),
          ...(apiJob.startedAt ? { startedAt: apiJob.startedAt } : {}),
        }
      : {}),
    callbacks: await callbackDeliveries(jobId, deps),
    links:
      record?.status === 'COMPLETED' && record.output ? await outputLinks(record.output, deps) : undefined,
  });
}

/**
 * Before the ledger has projected JobRequested, the api's own record answers: QUEUED while the job waits
 * for one of the user's slots (its JobRequested is not published until it starts), REQUESTED after, and
 * CANCELLED once the api has recorded the cancel as the outcome (a queued job cancelled before it started).
 */
function pendingRecord(job: ApiJob): Record<string, unknown> {
  return {
    jobId: job.jobId,
    userId: job.userId,
    status: job.outcome === 'CANCELLED' ? 'CANCELLED' : job.admission === 'QUEUED' ? 'QUEUED' : 'REQUESTED',
    createdAt: job.createdAt,
    spec: job.spec,
    ...(job.parentJobId ? { parentJobId: job.parentJobId } : {}),
    costUsd: 0,
    scenes: [],
    timeline: [],
  };
}

async function outputLinks(output: NonNullable<JobRecord['output']>, deps: GetJobDeps) {
  const ttl = deps.linkTtlSec ?? 900;
  const sign = (key: string) =>
    getSignedUrl(deps.s3, new GetObjectCommand({ Bucket: deps.mediaBucket, Key: key }), { expiresIn: ttl });
  return {
    video: await sign(output.key),
    thumbnail: await sign(output.thumbnailKey),
    ...(output.captionsKey ? { captions: await sign(output.captionsKey) } : {}),
    expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
  };
}

async function callbackDeliveries(jobId: string, deps: GetJobDeps) {
  const res = await deps.doc.send(
    new QueryCommand({
      TableName: deps.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': apiJobPk(jobId), ':prefix': 'DELIVERY#' },
    }),
  );
  return (res.Items ?? []).map((i) => ({
    event: i.event,
    status: i.status,
    attempts: i.attempts ?? 0,
    ...(i.lastError ? { lastError: i.lastError } : {}),
    ...(i.deliveredAt ? { deliveredAt: i.deliveredAt } : {}),
  }));
}
