import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { JOB_LIMITS, type JobSpec } from '@reelay/events';
import { checkMediaAllowed, type MediaProbe, MediaRejectedError, probeMedia } from '@reelay/media';
import { imageSize } from 'image-size';
import type { TableDeps } from '../jobs/create-job';
import type { UploadResolver } from '../jobs/submit-job';
import { uploadSk, userPk } from '../table/api-table';
import { MergeTooLongError, UnusableUploadError } from './upload-errors';

export interface ResolveUploadsDeps extends TableDeps {
  s3: S3Client;
  mediaBucket: string;
  /** Probes a downloaded file (libs/media probeMedia by default). */
  probe?: (file: string) => Promise<MediaProbe>;
}

interface UploadItem {
  uploadId: string;
  key: string;
  contentType: string;
  kind: 'image' | 'video';
  status: 'PENDING' | 'VALID' | 'INVALID';
  reason?: string;
  /** A clip's length, recorded when it is validated (a merge's total is limited). */
  durationSec?: number;
}

/**
 * Resolves the uploads a job names to their S3 keys. An upload is validated on first use: downloaded,
 * probed with ffprobe and checked against the format allowlist and caps (libs/media), then marked VALID
 * or INVALID for good. Someone else's upload id is looked up under the caller's own partition, so it is
 * simply not found.
 */
export function uploadResolver(deps: ResolveUploadsDeps): UploadResolver {
  return async (userId: string, spec: JobSpec): Promise<string[]> => {
    const results = await settleAtMost(spec.uploads, UPLOADS_RESOLVED_AT_ONCE, (uploadId, index) =>
      resolveOne(userId, spec, uploadId, index, deps),
    );
    // The first refusal in the job's order, whichever finished first.
    const refused = results.find((r) => r.status === 'rejected');
    if (refused) throw refused.reason;
    const uploads = results.map((r) => (r as PromiseFulfilledResult<ResolvedUpload>).value);
    if (spec.recipe === 'merge') {
      const totalSec = uploads.reduce((sum, u) => sum + (u.durationSec ?? 0), 0);
      if (totalSec > JOB_LIMITS.mergeTotalSec)
        throw new MergeTooLongError(totalSec, JOB_LIMITS.mergeTotalSec);
    }
    return uploads.map((u) => u.key);
  };
}

/** Uploads validated at once: a 300-page story's first use must fit submitJob's 28 s. */
const UPLOADS_RESOLVED_AT_ONCE = 8;

interface ResolvedUpload {
  key: string;
  durationSec?: number;
}

async function resolveOne(
  userId: string,
  spec: JobSpec,
  uploadId: string,
  index: number,
  deps: ResolveUploadsDeps,
): Promise<ResolvedUpload> {
  const { Item } = await deps.doc.send(
    new GetCommand({
      TableName: deps.table,
      Key: { pk: userPk(userId), sk: uploadSk(uploadId) },
      ConsistentRead: true,
    }),
  );
  if (!Item)
    throw new UnusableUploadError(
      index,
      `upload ${uploadId} is not one of your uploads; create it with POST /uploads`,
    );
  let upload = Item as unknown as UploadItem;
  if (upload.status === 'PENDING') upload = await validateUpload(userId, upload, deps);
  if (upload.status === 'PENDING')
    throw new UnusableUploadError(
      index,
      `upload ${uploadId} has not been uploaded yet; POST the file to the presigned URL first`,
    );
  if (upload.status === 'INVALID')
    throw new UnusableUploadError(
      index,
      `upload ${uploadId} was refused: ${upload.reason ?? 'not valid media'}`,
    );
  const wanted =
    spec.recipe === 'story'
      ? 'image'
      : spec.recipe === 'merge' || spec.recipe === 'soundtrack'
        ? 'video'
        : undefined;
  if (wanted && upload.kind !== wanted) {
    throw new UnusableUploadError(
      index,
      `the ${spec.recipe} recipe takes ${wanted}s, and upload ${uploadId} is ${upload.kind === 'image' ? 'an image' : 'a video'}`,
    );
  }
  return {
    key: upload.key,
    ...(upload.durationSec === undefined ? {} : { durationSec: upload.durationSec }),
  };
}

/** Promise.allSettled over `items`, at most `limit` running at once, results in the items' order. */
async function settleAtMost<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await run(items[i] as T, i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function validateUpload(
  userId: string,
  upload: UploadItem,
  deps: ResolveUploadsDeps,
): Promise<UploadItem> {
  if (upload.kind === 'image') {
    const verdict = await pictureVerdict(upload, deps);
    return verdict ? recordVerdict(userId, upload, verdict, deps) : upload;
  }
  const dir = await mkdtemp(join(tmpdir(), 'reelay-upload-'));
  let verdict: Verdict;
  try {
    const file = join(dir, `media.${upload.key.split('.').pop()}`);
    try {
      const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.mediaBucket, Key: upload.key }));
      await pipeline(object.Body as Readable, createWriteStream(file));
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return upload;
      throw error;
    }
    try {
      const probe = await (deps.probe ?? ((f: string) => probeMedia(f)))(file);
      checkMediaAllowed(probe);
      const still = probe.still;
      // Pictures were judged from their header above; this is a clip.
      if (still || !probe.video)
        verdict = { status: 'INVALID', reason: 'it was declared a video but has no moving picture' };
      else verdict = { status: 'VALID', ...(still ? {} : { durationSec: probe.durationSec }) };
    } catch (error) {
      if (!(error instanceof MediaRejectedError)) throw error;
      verdict = { status: 'INVALID', reason: error.reason };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return recordVerdict(userId, upload, verdict, deps);
}

type Verdict = { status: 'VALID' | 'INVALID'; reason?: string; durationSec?: number };

/** The largest picture the composer accepts (libs/media's caps). */
const MAX_PICTURE_SIDE = 4096;
/** A picture's header is in its first bytes in every format we take (PNG, JPEG after EXIF, WebP). */
const HEADER_BYTES = 256 * 1024;

/**
 * A picture is judged from its header (a ranged GET and `image-size`), not downloaded and probed:
 * 120 new pages must be judged within submitJob's 28 s even on a busy machine. The composer probes
 * each page whole when it prepares it and fails the job on anything unreadable. Undefined: not
 * uploaded yet.
 */
async function pictureVerdict(upload: UploadItem, deps: ResolveUploadsDeps): Promise<Verdict | undefined> {
  let header: Uint8Array;
  try {
    const object = await deps.s3.send(
      new GetObjectCommand({
        Bucket: deps.mediaBucket,
        Key: upload.key,
        Range: `bytes=0-${HEADER_BYTES - 1}`,
      }),
    );
    header = await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
  let size: { width: number; height: number; type?: string };
  try {
    size = imageSize(header);
  } catch {
    return { status: 'INVALID', reason: 'it was declared an image but is not a picture we can read' };
  }
  if (size.width > MAX_PICTURE_SIDE || size.height > MAX_PICTURE_SIDE) {
    return {
      status: 'INVALID',
      reason: `the picture is ${size.width}x${size.height}; the largest accepted is ${MAX_PICTURE_SIDE}x${MAX_PICTURE_SIDE}`,
    };
  }
  return { status: 'VALID' };
}

async function recordVerdict(
  userId: string,
  upload: UploadItem,
  verdict: Verdict,
  deps: ResolveUploadsDeps,
): Promise<UploadItem> {
  try {
    await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: { pk: userPk(userId), sk: uploadSk(upload.uploadId) },
        UpdateExpression: `SET #status = :status, validatedAt = :now${verdict.reason ? ', reason = :reason' : ''}${verdict.durationSec === undefined ? '' : ', durationSec = :duration'}`,
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': verdict.status,
          ':pending': 'PENDING',
          ':now': new Date().toISOString(),
          ...(verdict.reason ? { ':reason': verdict.reason } : {}),
          ...(verdict.durationSec === undefined ? {} : { ':duration': verdict.durationSec }),
        },
      }),
    );
  } catch (error) {
    // A concurrent submission validated it first; both reached the same verdict from the same bytes.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  return { ...upload, ...verdict };
}
