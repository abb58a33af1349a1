import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { extractLastFrame } from '@reelay/media';

/** Under intermediates/: the media bucket expires it; only the next scene of the job reads it. */
export const lastFrameKey = (jobId: string, sceneIndex: number) =>
  `intermediates/${jobId}/frames/${String(sceneIndex).padStart(2, '0')}-last.jpg`;

export interface LastFrames {
  /** Stores the clip's last frame (once) and returns its key. */
  ensure(jobId: string, sceneIndex: number, clipKey: string): Promise<string>;
}

/** Last frames in S3 next to the job's scenes, extracted with ffmpeg from the stored clip. */
export class S3LastFrames implements LastFrames {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async ensure(jobId: string, sceneIndex: number, clipKey: string): Promise<string> {
    const key = lastFrameKey(jobId, sceneIndex);
    if (await this.exists(key)) return key;
    const dir = await mkdtemp(join(tmpdir(), 'frame-'));
    try {
      const clip = join(dir, 'clip.mp4');
      const frame = join(dir, 'last.jpg');
      const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: clipKey }));
      await pipeline(Body as Readable, createWriteStream(clip));
      await extractLastFrame(clip, frame);
      const { size } = await stat(frame);
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: createReadStream(frame),
          ContentLength: size,
          ContentType: 'image/jpeg',
        }),
      );
      return key;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return false;
      throw error;
    }
  }
}
