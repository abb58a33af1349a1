import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { JobSpecInput } from '@reelay/events';
import { isEndedStatus, type JobRecord } from '@reelay/job-records';
import type { EmbeddedCloud } from '../cloud/src/embedded-cloud';
import { type JobChangeSignal, JobChangeWaiter } from './job-changes';
import type { ProgressReporter } from './job-progress';
import { uploadFiles } from './upload-files';

export class JobRejectedError extends Error {}

export interface JobResult {
  record: JobRecord;
  video?: string;
  thumbnail?: string;
  captions?: string;
  /** Epoch ms: POST /jobs sent, the record seen ended (COMPLETED, FAILED, CANCELLED), the outputs downloaded. */
  timings: { submittedAt: number; endedAt: number; downloadedAt: number };
}

/** Without a change signal, GET /jobs/{id} every this often. */
const POLL_MS = 250;
/** With one, a poll this long after the last change at most, in case a signal was missed. */
const FALLBACK_POLL_MS = 2000;
/**
 * Answers that say the API could not answer this time (an invocation timed out on a busy machine,
 * throttling), not that the job is gone: followed by another poll, up to this many in a row.
 */
const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);
const MAX_TRANSIENT_ERRORS = 5;

/**
 * Submits a job to the local HTTP API as any client would, follows it through GET /jobs/{id}
 * until it ends, then downloads its video, thumbnail and WebVTT captions. With `changes` (see
 * job-changes.ts) it polls when the record may have changed rather than every `pollMs`.
 */
export async function runJob(
  cloud: EmbeddedCloud,
  spec: JobSpecInput,
  opts: {
    userId: string;
    out?: string;
    progress?: ProgressReporter;
    pollMs?: number;
    uploads?: string[];
    changes?: JobChangeSignal;
  },
): Promise<JobResult> {
  const submittedAt = Date.now();
  const token = cloud.token(opts.userId);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  // Files given with --upload go through the presigned POST flow; the job names them by upload id.
  const uploads = opts.uploads?.length ? await uploadFiles(cloud.endpoints.api, token, opts.uploads) : [];
  const submitted = await fetch(`${cloud.endpoints.api}/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify(uploads.length ? { ...spec, uploads } : spec),
  });
  const body = (await submitted.json()) as { jobId?: string; detail?: string };
  if (submitted.status !== 202 || !body.jobId)
    throw new JobRejectedError(body.detail ?? `the api answered ${submitted.status}`);
  const jobId = body.jobId;
  const waiter = opts.changes ? new JobChangeWaiter(opts.changes) : undefined;
  const nextPoll = () =>
    waiter ? waiter.next(FALLBACK_POLL_MS) : new Promise((r) => setTimeout(r, opts.pollMs ?? POLL_MS));
  try {
    const record = await followJob(cloud, jobId, headers, nextPoll, opts.progress);
    const downloaded = await downloadOutputs(cloud, record, opts.out);
    return { ...downloaded, timings: { submittedAt, ...downloaded.timings } };
  } finally {
    waiter?.close();
  }
}

async function followJob(
  cloud: EmbeddedCloud,
  jobId: string,
  headers: Record<string, string>,
  nextPoll: () => Promise<unknown>,
  progress: ProgressReporter | undefined,
): Promise<JobRecord> {
  let record: JobRecord | undefined;
  let transientErrors = 0;
  for (;;) {
    let res: Response;
    try {
      res = await fetch(`${cloud.endpoints.api}/jobs/${jobId}`, { headers });
    } catch (error) {
      // A reset connection on a busy machine is worth another poll; a dead API is not.
      if (++transientErrors > MAX_TRANSIENT_ERRORS) throw error;
      await nextPoll();
      continue;
    }
    if (TRANSIENT_STATUSES.has(res.status) && ++transientErrors <= MAX_TRANSIENT_ERRORS) {
      // A gateway error (a timed-out or throttled invocation) says nothing about the job: look again.
      await res.body?.cancel();
      await nextPoll();
      continue;
    }
    if (!TRANSIENT_STATUSES.has(res.status)) transientErrors = 0;
    if (res.status === 200) {
      record = (await res.json()) as JobRecord;
      progress?.update({
        status: record.status,
        scenes: record.scenes,
        ...(record.sceneCount ? { sceneCount: record.sceneCount } : {}),
      });
      if (isEndedStatus(record.status)) break;
    } else if (res.status !== 404) {
      throw new Error(`GET /jobs/${jobId} answered ${res.status}: ${await res.text()}`);
    }
    await nextPoll();
  }
  progress?.stop();
  return record;
}

/** The video, thumbnail and captions of a completed job, downloaded side by side. */
async function downloadOutputs(
  cloud: EmbeddedCloud,
  record: JobRecord,
  out: string | undefined,
): Promise<Omit<JobResult, 'timings'> & { timings: { endedAt: number; downloadedAt: number } }> {
  const endedAt = Date.now();
  if (record.status !== 'COMPLETED' || !record.output)
    return { record, timings: { endedAt, downloadedAt: endedAt } };
  const { output } = record;
  const video = resolve(out ?? `out/${record.jobId}.mp4`);
  const base = video.replace(/\.mp4$/i, '');
  const thumbnail = `${base}.jpg`;
  const captions = output.captionsKey ? `${base}.vtt` : undefined;
  await Promise.all([
    download(cloud, output.key, video),
    download(cloud, output.thumbnailKey, thumbnail),
    ...(output.captionsKey && captions ? [download(cloud, output.captionsKey, captions)] : []),
  ]);
  const timings = { endedAt, downloadedAt: Date.now() };
  return captions ? { record, video, thumbnail, captions, timings } : { record, video, thumbnail, timings };
}

async function download(cloud: EmbeddedCloud, key: string, file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const { Body } = await cloud.clients.s3.send(
    new GetObjectCommand({ Bucket: cloud.names.mediaBucket, Key: key }),
  );
  await pipeline(Body as Readable, createWriteStream(file));
}
