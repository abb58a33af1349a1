import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** Moves media between S3 and the function's temporary folder, streaming both ways. */
export async function downloadObject(s3: S3Client, bucket: string, key: string, file: string): Promise<void> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!Body) throw new Error(`s3://${bucket}/${key} has no body`);
  await pipeline(Body as Readable, createWriteStream(file));
}

export async function uploadFile(
  s3: S3Client,
  bucket: string,
  key: string,
  file: string,
  contentType: string,
  metadata: Record<string, string> = {},
): Promise<{ bytes: number; sha256: string }> {
  const { size } = await stat(file);
  const sha256 = await sha256Of(file);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: createReadStream(file),
      ContentLength: size,
      ContentType: contentType,
      Metadata: { ...metadata, sha256 },
    }),
  );
  return { bytes: size, sha256 };
}

/** The user metadata of a stored object (sha256 and what the writer added), or undefined when absent. */
export async function storedMetadata(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<Record<string, string> | undefined> {
  try {
    const { Metadata } = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return Metadata ?? {};
  } catch (error) {
    if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
    throw error;
  }
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * Visual scenes are prepared as MP4 clips, narration and music as M4A audio. Intermediates live
 * under intermediates/<jobId>/ (expired by the media bucket's lifecycle); outputs under jobs/<jobId>/.
 */
export const preparedKey = (jobId: string, sceneIndex: number, audioOnly = false) =>
  `intermediates/${jobId}/prepared/${String(sceneIndex).padStart(2, '0')}.${audioOnly ? 'm4a' : 'mp4'}`;
/** A transition prepare rendered between two prepared scenes (early-transitions.ts). */
export const transitionKey = (jobId: string, from: number, to: number) =>
  `intermediates/${jobId}/transitions/${String(from).padStart(2, '0')}-${String(to).padStart(2, '0')}.mp4`;
export const finalKey = (jobId: string) => `jobs/${jobId}/final.mp4`;
export const thumbnailKey = (jobId: string) => `jobs/${jobId}/thumbnail.jpg`;
export const captionsKey = (jobId: string) => `jobs/${jobId}/captions.vtt`;
