import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { ReelayError } from '@reelay/events';
import { checkMediaAllowed, type MediaProbe, MediaRejectedError, probeMedia } from '@reelay/media';

/** An upload the job names is missing or is not media we accept: the job cannot be made. */
export class UploadRejectedError extends ReelayError {
  readonly code = 'UPLOAD_REJECTED';
  readonly retryable = false;
}

export interface UploadMedia {
  file: string;
  probe: MediaProbe;
  /** A still is placed as an image scene, anything else as a clip. */
  kind: 'image' | 'upload';
}

/**
 * Downloads an upload to a temporary folder, probes it (header only) and checks it against the
 * media caps, then hands it to `use`; the folder is removed whatever happens.
 */
export async function withUploadMedia<T>(
  s3: S3Client,
  bucket: string,
  key: string,
  use: (media: UploadMedia) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'upload-'));
  try {
    const file = join(dir, `upload.${key.split('.').pop() ?? 'bin'}`);
    try {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      await pipeline(Body as Readable, createWriteStream(file));
    } catch (error) {
      if (error instanceof NoSuchKey) throw new UploadRejectedError(`the upload ${key} does not exist`);
      throw error;
    }
    let probe: MediaProbe;
    try {
      probe = await probeMedia(file);
      checkMediaAllowed(probe);
    } catch (error) {
      if (error instanceof MediaRejectedError) throw new UploadRejectedError(`${key}: ${error.reason}`);
      throw error;
    }
    if (!probe.video) throw new UploadRejectedError(`${key}: the upload has no picture`);
    return await use({ file, probe, kind: probe.still ? 'image' : 'upload' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
