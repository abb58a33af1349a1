import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { JobSpecInput } from '@reelay/events';
import type { JobRecord } from '@reelay/job-records';
import type { EmbeddedCloud } from '../cloud/src/embedded-cloud';
import type { ProgressReporter } from './job-progress';
import { uploadFiles } from './upload-files';

export class JobRejectedError extends Error {}

export interface JobResult {
  record: JobRecord;
  video?: string;
  thumbnail?: string;
  captions?: string;
}

/**
 * Submits a job to the local HTTP API as any client would, follows it through GET /jobs/{id}
 * until it ends, then downloads its video, thumbnail and WebVTT captions.
 */
export async function runJob(
  cloud: EmbeddedCloud,
  spec: JobSpecInput,
  opts: { userId: string; out?: string; progress?: ProgressReporter; pollMs?: number; uploads?: string[] },
): Promise<JobResult> {
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
  let record: JobRecord | undefined;
  let networkErrors = 0;
  for (;;) {
    let res: Response;
    try {
      res = await fetch(`${cloud.endpoints.api}/jobs/${jobId}`, { headers });
      networkErrors = 0;
    } catch (error) {
      // A reset connection on a busy machine is worth another poll; a dead API is not.
      if (++networkErrors > 5) throw error;
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
      continue;
    }
    if (res.status === 200) {
      record = (await res.json()) as JobRecord;
      opts.progress?.update({
        status: record.status,
        scenes: record.scenes,
        ...(record.sceneCount ? { sceneCount: record.sceneCount } : {}),
      });
      if (record.status === 'COMPLETED' || record.status === 'FAILED') break;
    } else if (res.status !== 404) {
      throw new Error(`GET /jobs/${jobId} answered ${res.status}: ${await res.text()}`);
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
  opts.progress?.stop();
  if (record.status !== 'COMPLETED' || !record.output) return { record };
  const video = resolve(opts.out ?? `out/${jobId}.mp4`);
  const thumbnail = `${video.replace(/\.mp4$/i, '')}.jpg`;
  await download(cloud, record.output.key, video);
  await download(cloud, record.output.thumbnailKey, thumbnail);
  if (!record.output.captionsKey) return { record, video, thumbnail };
  const captions = `${video.replace(/\.mp4$/i, '')}.vtt`;
  await download(cloud, record.output.captionsKey, captions);
  return { record, video, thumbnail, captions };
}

async function download(cloud: EmbeddedCloud, key: string, file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const { Body } = await cloud.clients.s3.send(
    new GetObjectCommand({ Bucket: cloud.names.mediaBucket, Key: key }),
  );
  await pipeline(Body as Readable, createWriteStream(file));
}
