import { execFileSync } from 'node:child_process';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type LocalS3, startLocalS3 } from '../../../../local/cloud/src/local-s3';
import { HEADER_BYTES, readUploadFacts } from '../../src/planning/upload-facts';
import { UploadRejectedError } from '../../src/uploads/upload-media';

const BUCKET = 'facts-bucket';

/** A real PNG (ffmpeg) followed by megabytes the header read must never fetch. */
function bigPng(width: number, height: number): Buffer {
  const png = execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', `color=c=teal:s=${width}x${height}`],
    ...['-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'],
  ]);
  return Buffer.concat([png, Buffer.alloc(4 * 1024 * 1024, 7)]);
}

describe('planning reads an upload picture from its header', () => {
  let local: LocalS3;
  let s3: S3Client;
  const bytesRead: number[] = [];

  beforeAll(async () => {
    local = await startLocalS3();
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: local.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    // Observes (changes nothing) how many bytes each GetObject answered with.
    s3.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const length = (result.output as { ContentLength?: number } | undefined)?.ContentLength;
        if (length !== undefined) bytesRead.push(length);
        return result;
      },
      { step: 'initialize', name: 'countBytes' },
    );
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterAll(async () => {
    s3?.destroy();
    await local?.close();
  });

  it('knows a tall page is a still of its size after a ranged GET of its first 256 KiB', async () => {
    // Prepare
    const key = 'uploads/u-1/01J00000000000000000000001.png';
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bigPng(120, 360) }));
    bytesRead.length = 0;

    // Act
    const facts = await readUploadFacts(s3, BUCKET, key);

    // Assess
    expect(facts).toEqual({ key, kind: 'image', width: 120, height: 360 });
    expect(bytesRead).toEqual([HEADER_BYTES]);
  });

  it('refuses a picture that is not one, or is missing, as a rejected upload', async () => {
    const key = 'uploads/u-1/01J00000000000000000000002.png';
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.alloc(2048, 1) }));

    await expect(readUploadFacts(s3, BUCKET, key)).rejects.toBeInstanceOf(UploadRejectedError);
    await expect(
      readUploadFacts(s3, BUCKET, 'uploads/u-1/01J00000000000000000000003.png'),
    ).rejects.toBeInstanceOf(UploadRejectedError);
  });
});
