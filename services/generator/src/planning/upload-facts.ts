import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { imageSize } from 'image-size';
import { UploadRejectedError, withUploadMedia } from '../uploads/upload-media';
import type { UploadFacts } from './scene-outline';

/**
 * A picture's header is in its first bytes (PNG's IHDR at byte 16, a JPEG's SOF after its EXIF
 * segments, WebP's VP8 chunk): 256 KiB holds it for any picture a camera or a scanner writes.
 */
export const HEADER_BYTES = 256 * 1024;
/** The largest picture the composer accepts (libs/media's caps). */
const MAX_PICTURE_SIDE = 4096;
const STILL_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'webp']);
/** Uploads read at once while planning: a 300-page story must plan within the function's minute. */
export const UPLOAD_READS_AT_ONCE = 8;

/**
 * What planning needs of an upload. A picture (by the extension the api gave its key from the
 * declared content type) is read by a ranged GET of its header only (`image-size`, a well-kept
 * parser of every format we take, rather than our own): downloading 300 pages of up to 20 MB to
 * learn that each is a still would not fit the plan function. A clip is downloaded and probed,
 * as its length is needed and an MP4's index may sit at its end.
 */
export async function readUploadFacts(s3: S3Client, bucket: string, key: string): Promise<UploadFacts> {
  const ext = key.split('.').pop()?.toLowerCase() ?? '';
  if (!STILL_EXTENSIONS.has(ext)) {
    return withUploadMedia(s3, bucket, key, async ({ probe, kind }) => ({
      key,
      kind,
      ...(kind === 'upload' ? { durationSec: probe.video?.durationSec ?? probe.durationSec } : {}),
    }));
  }
  let header: Uint8Array;
  try {
    const { Body } = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${HEADER_BYTES - 1}` }),
    );
    header = await (Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
  } catch (error) {
    if (error instanceof NoSuchKey) throw new UploadRejectedError(`the upload ${key} does not exist`);
    throw error;
  }
  let size: { width: number; height: number };
  try {
    size = imageSize(header);
  } catch (error) {
    throw new UploadRejectedError(`${key}: not a picture we can read (${(error as Error).message})`);
  }
  if (size.width > MAX_PICTURE_SIDE || size.height > MAX_PICTURE_SIDE) {
    throw new UploadRejectedError(
      `${key}: the picture is ${size.width}x${size.height}; the largest accepted is ${MAX_PICTURE_SIDE}x${MAX_PICTURE_SIDE}`,
    );
  }
  return { key, kind: 'image', width: size.width, height: size.height };
}

/**
 * Runs `read` over `items` with at most `limit` at once, results in the items' order. (Eight lines
 * instead of p-limit, which is ESM-only and would need the bundler and jest configured for it.)
 */
export async function mapAtMost<T, R>(
  items: readonly T[],
  limit: number,
  read: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await read(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
