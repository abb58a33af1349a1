import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulidSchema } from '@reelay/events';
import { type HttpResponse, json, validate } from '@reelay/lambda';
import { z } from 'zod';
import { JOB_INDEX_PREFIX, jobIndexSk, userPk } from '../table/api-table';
import { API_JOB_STATUSES, type ApiJobStatus, ledgerStatuses } from './job-status';

export interface ListJobsDeps {
  doc: DynamoDBDocumentClient;
  table: string;
  jobsTable: string;
}

/** An opaque cursor: the last job id of the previous page. */
const cursorSchema = z
  .string()
  .max(200)
  .transform((raw, ctx) => {
    try {
      const decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { after?: unknown };
      const after = ulidSchema.safeParse(decoded.after);
      if (after.success) return after.data;
    } catch {
      // reported below
    }
    ctx.addIssue({
      code: 'custom',
      message: 'is not a cursor this api returned; pass the `next` of the previous page',
    });
    return z.NEVER;
  });

export const listJobsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  next: cursorSchema.optional(),
  status: z.enum(API_JOB_STATUSES).optional(),
});

const encodeCursor = (jobId: string) => Buffer.from(JSON.stringify({ after: jobId })).toString('base64url');
const MAX_PAGES = 10;

/** GET /jobs: the caller's jobs, newest first, `limit` at a time, optionally only those with one status. */
export async function listJobs(
  userId: string,
  query: Record<string, string | undefined> | undefined,
  deps: ListJobsDeps,
): Promise<HttpResponse> {
  const q = validate(listJobsQuerySchema, query ?? {}, 'Invalid query');
  const { limit, status } = q;
  const jobs: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined = q.next
    ? { pk: userPk(userId), sk: jobIndexSk(q.next) }
    : undefined;
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await deps.doc.send(
      new QueryCommand({
        TableName: deps.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': JOB_INDEX_PREFIX },
        ScanIndexForward: false,
        Limit: limit + 1,
        ExclusiveStartKey: start,
      }),
    );
    const items = res.Items ?? [];
    const statuses = await ledgerStatuses(
      deps.doc,
      deps.jobsTable,
      items.map((i) => String(i.jobId)),
    );
    for (const item of items) {
      const jobId = String(item.jobId);
      const jobStatus: ApiJobStatus =
        statuses.get(jobId) ??
        (item.outcome === 'CANCELLED' ? 'CANCELLED' : item.queued === true ? 'QUEUED' : 'REQUESTED');
      if (status && jobStatus !== status) continue;
      if (jobs.length === limit) {
        next = encodeCursor(String(jobs[jobs.length - 1]?.jobId));
        break;
      }
      jobs.push({
        jobId,
        status: jobStatus,
        createdAt: item.createdAt,
        recipe: item.recipe,
        ...(item.prompt ? { prompt: item.prompt } : {}),
        ...(item.parentJobId ? { parentJobId: item.parentJobId } : {}),
        ...(item.outcome === 'CANCELLED' ? { cancelled: true } : {}),
        statusUrl: `/jobs/${jobId}`,
      });
    }
    if (next || !res.LastEvaluatedKey) break;
    start = res.LastEvaluatedKey;
    // Only a status filter skips items: stop scanning after MAX_PAGES and hand back a cursor.
    if (page === MAX_PAGES - 1) next = encodeCursor(String(start.sk).slice(JOB_INDEX_PREFIX.length));
  }
  return json(200, { jobs, ...(next ? { next } : {}) });
}
