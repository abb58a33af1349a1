/**
 * Drives soak jobs as an integrator would: the public HTTP API with a dev token per user, an
 * Idempotency-Key per job so that a retry after a 5xx (a crashed submitJob) is the same job, and the
 * ledger's jobs table to follow many jobs at once without a GET per job per second.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type JobRecord, readJobRecord } from '@reelay/job-records';
import { uploadFiles } from '../../local/cli/upload-files';
import type { EmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import type { PlannedJob, SoakMedia } from './job-mix';

export class SoakSubmitError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'SoakSubmitError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Answers worth retrying: the sandbox died (502/504), contention (503), throttling (429). */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export interface ApiAnswer {
  status: number;
  json: Record<string, unknown>;
}

/** One API call, retried on network errors and retryable statuses (safe: callers make them idempotent). */
export async function callApi(
  cloud: EmbeddedCloud,
  userId: string,
  request: { method: string; path: string; body?: unknown; headers?: Record<string, string> },
  attempts = 30,
): Promise<ApiAnswer> {
  let last: ApiAnswer | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(`${cloud.endpoints.api}${request.path}`, {
        method: request.method,
        headers: {
          authorization: `Bearer ${cloud.token(userId)}`,
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(request.headers ?? {}),
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
      const text = await res.text();
      last = { status: res.status, json: parseObject(text) };
      if (!RETRYABLE_STATUS.has(res.status)) return last;
    } catch {
      // The connection died with the sandbox: retry.
    }
    await sleep(Math.min(5000, 250 * attempt));
  }
  return last ?? { status: 0, json: {} };
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Registers the user's callback URL (PUT /callback). */
export async function registerCallback(cloud: EmbeddedCloud, userId: string, url: string): Promise<void> {
  const answer = await callApi(cloud, userId, { method: 'PUT', path: '/callback', body: { url } });
  if (answer.status !== 200)
    throw new SoakSubmitError(
      `PUT /callback for ${userId} answered ${answer.status}: ${JSON.stringify(answer.json)}`,
    );
}

export interface UserUploads {
  image: string[];
  clip: string[];
}

/** Uploads three stills and three clips for a user (presigned POSTs), to be named by that user's jobs. */
export async function uploadUserMedia(
  cloud: EmbeddedCloud,
  userId: string,
  media: SoakMedia,
): Promise<UserUploads> {
  const token = cloud.token(userId);
  const ids = await uploadFiles(cloud.endpoints.api, token, [
    media.image,
    media.image,
    media.image,
    media.clip,
    media.clip,
    media.clip,
  ]);
  return { image: ids.slice(0, 3), clip: ids.slice(3) };
}

/** POST /jobs with an Idempotency-Key: however often a crash makes us retry, one job. */
export async function submitSoakJob(
  cloud: EmbeddedCloud,
  job: PlannedJob,
  uploads: UserUploads | undefined,
  idempotencyKey: string,
): Promise<string> {
  const taken = { image: 0, clip: 0 };
  const uploadIds = job.uploads.map((kind) => {
    const id = uploads?.[kind][taken[kind]++];
    if (!id) throw new SoakSubmitError(`job ${job.index} needs a ${kind} upload of ${job.userId}`);
    return id;
  });
  const answer = await callApi(cloud, job.userId, {
    method: 'POST',
    path: '/jobs',
    body: uploadIds.length > 0 ? { ...job.spec, uploads: uploadIds } : job.spec,
    headers: { 'idempotency-key': idempotencyKey },
  });
  const jobId = answer.json.jobId;
  if (answer.status !== 202 || typeof jobId !== 'string')
    throw new SoakSubmitError(
      `job ${job.index} (${job.spec.recipe}) was refused: ${answer.status} ${JSON.stringify(answer.json)}`,
    );
  return jobId;
}

export const isTerminal = (record: JobRecord | undefined): boolean =>
  record?.status === 'COMPLETED' || record?.status === 'FAILED';

/**
 * Follows jobs in the ledger's table until each satisfies `done` (by default: terminal) or the
 * deadline passes; returns the last record of each (undefined when never projected).
 */
export async function waitForJobs(
  deps: { doc: DynamoDBDocumentClient; table: string },
  jobIds: readonly string[],
  options: {
    deadlineMs: number;
    done?: (record: JobRecord | undefined) => boolean;
    /** Returns early once this holds of the records read so far (the soak's moment to restart its cloud). */
    enough?: (records: ReadonlyMap<string, JobRecord | undefined>) => boolean;
    onProgress?: (doneCount: number, total: number) => void;
  },
): Promise<Map<string, JobRecord | undefined>> {
  const done = options.done ?? isTerminal;
  const records = new Map<string, JobRecord | undefined>();
  let open = [...jobIds];
  let lastReported = -1;
  for (;;) {
    const read = await Promise.all(open.map((id) => readJobRecord(deps.doc, deps.table, id)));
    for (const [i, record] of read.entries()) records.set(open[i] ?? '', record);
    open = open.filter((id) => !done(records.get(id)));
    const finished = jobIds.length - open.length;
    if (finished !== lastReported) options.onProgress?.(finished, jobIds.length);
    lastReported = finished;
    if (open.length === 0 || Date.now() > options.deadlineMs || options.enough?.(records)) return records;
    await sleep(2000);
  }
}

/** Each user of the jobs: a callback URL if given, and stills and clips uploaded if any of their jobs needs them. */
export async function prepareUsers(
  cloud: EmbeddedCloud,
  planned: readonly PlannedJob[],
  options: { callbackUrl?: string; media: SoakMedia },
): Promise<Map<string, UserUploads>> {
  const uploads = new Map<string, UserUploads>();
  const users = [...new Set(planned.map((j) => j.userId))];
  await Promise.all(
    users.map(async (user) => {
      if (options.callbackUrl) await registerCallback(cloud, user, options.callbackUrl);
      if (planned.some((j) => j.userId === user && j.uploads.length > 0))
        uploads.set(user, await uploadUserMedia(cloud, user, options.media));
    }),
  );
  return uploads;
}
