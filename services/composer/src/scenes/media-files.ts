import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

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
      Metadata: { sha256 },
    }),
  );
  return { bytes: size, sha256 };
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

export const preparedKey = (jobId: string, sceneIndex: number) =>
  `jobs/${jobId}/prepared/${String(sceneIndex).padStart(2, '0')}.mp4`;
export const finalKey = (jobId: string) => `jobs/${jobId}/final.mp4`;
export const thumbnailKey = (jobId: string) => `jobs/${jobId}/thumbnail.jpg`;
