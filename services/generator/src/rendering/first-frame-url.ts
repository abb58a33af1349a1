import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type Replicate from 'replicate';
import { classifyReplicateError } from './replicate-client';

/**
 * How a chained scene's first frame reaches the model, which downloads it from a URL:
 * - `replicate-file`: uploaded through Replicate's files API (`replicate.files.create`), and the
 *   file's `urls.get` is sent. Works wherever the frame lives: a local run's S3 is the embedded
 *   one on 127.0.0.1, which Replicate cannot reach (nor would it reach a private bucket endpoint).
 * - `presigned-url`: an hour's presigned GET of the object, for a bucket Replicate can reach (the
 *   cloud's S3); no upload.
 * Locally (REELAY_LOCAL) the default is `replicate-file`, in the cloud `presigned-url`
 * (FIRST_FRAME_DELIVERY chooses).
 */
export type FirstFrameDelivery = 'replicate-file' | 'presigned-url';

export interface FirstFrameDeps {
  replicate: Pick<Replicate, 'files'>;
  s3: S3Client;
  bucket: string;
}

export function firstFrameUrlMaker(delivery: FirstFrameDelivery, deps: FirstFrameDeps) {
  return delivery === 'presigned-url'
    ? (key: string) =>
        getSignedUrl(deps.s3, new GetObjectCommand({ Bucket: deps.bucket, Key: key }), { expiresIn: 3600 })
    : (key: string) => uploadedFirstFrameUrl(key, deps);
}

/** Uploads the frame (a JPEG of tens of kB) to Replicate's files API and returns its URL. */
export async function uploadedFirstFrameUrl(key: string, deps: FirstFrameDeps): Promise<string> {
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }));
  const bytes = await object.Body?.transformToByteArray();
  if (!bytes) throw new Error(`first frame ${key} is empty`);
  const blob = new Blob([bytes], { type: object.ContentType ?? 'image/jpeg' });
  try {
    const file = await deps.replicate.files.create(blob, { reelay: 'first-frame', key });
    return file.urls.get;
  } catch (error) {
    throw classifyReplicateError(error);
  }
}
