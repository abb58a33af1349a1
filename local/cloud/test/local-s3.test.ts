import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type LocalS3, startLocalS3 } from '../src/local-s3';

describe('the local S3', () => {
  let local: LocalS3;
  let s3: S3Client;

  beforeAll(async () => {
    local = await startLocalS3();
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: local.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
  });
  afterAll(async () => {
    s3?.destroy();
    await local?.close();
  });

  it('pages a listing of more than 1000 keys with continuation tokens, as S3 does', async () => {
    // Prepare: 1001 keys (s3rver's tokens need single DES, which OpenSSL 3 leaves out).
    await s3.send(new CreateBucketCommand({ Bucket: 'listing-bucket' }));
    const keys = Array.from({ length: 1001 }, (_, i) => `jobs/${String(i % 40).padStart(2, '0')}/k-${i}`);
    for (let i = 0; i < keys.length; i += 50)
      await Promise.all(
        keys
          .slice(i, i + 50)
          .map((Key) => s3.send(new PutObjectCommand({ Bucket: 'listing-bucket', Key, Body: 'x' }))),
      );

    // Act
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: 'listing-bucket', Prefix: 'jobs/', ContinuationToken: token }),
      );
      pages.push((page.Contents ?? []).map((o) => o.Key ?? ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);

    // Assess
    expect(pages.map((p) => p.length)).toEqual([1000, 1]);
    expect(pages.flat().sort()).toEqual([...keys].sort());
  }, 120_000);

  it('replaces an object atomically: a read during an overwrite gets the old or the new object, whole', async () => {
    // Prepare: two 4 MB versions that differ in every byte, with their sha256 in their metadata.
    await s3.send(new CreateBucketCommand({ Bucket: 'overwrite-bucket' }));
    const version = (fill: string) => {
      const body = Buffer.alloc(4 * 1024 * 1024, fill);
      return { body, sha256: createHash('sha256').update(body).digest('hex') };
    };
    const versions = [version('a'), version('b')] as const;
    const put = (v: ReturnType<typeof version>) =>
      s3.send(
        new PutObjectCommand({
          Bucket: 'overwrite-bucket',
          Key: 'clip.mp4',
          Body: v.body,
          Metadata: { sha256: v.sha256 },
        }),
      );
    await put(versions[0]);
    const known = new Set(versions.map((v) => v.sha256));

    // Act: overwrite it again and again while reading it (what a duplicate prepare does to compose).
    const reads: {
      bodySha256: string;
      declaredSha256: string | undefined;
      headSha256: string | undefined;
    }[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 1; i <= 30; i++) await put(i % 2 === 0 ? versions[0] : versions[1]);
      writing = false;
    })();
    const reader = async () => {
      while (writing) {
        const [got, head] = await Promise.all([
          s3.send(new GetObjectCommand({ Bucket: 'overwrite-bucket', Key: 'clip.mp4' })),
          s3.send(new HeadObjectCommand({ Bucket: 'overwrite-bucket', Key: 'clip.mp4' })),
        ]);
        const body = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
        reads.push({
          bodySha256: createHash('sha256').update(body).digest('hex'),
          declaredSha256: got.Metadata?.sha256,
          headSha256: head.Metadata?.sha256,
        });
      }
    };
    await Promise.all([writer, reader(), reader()]);

    // Assess: never a truncated body, and the metadata always belongs to the body read with it.
    expect(reads.length).toBeGreaterThan(5);
    for (const read of reads) {
      expect(known.has(read.bodySha256)).toBe(true);
      expect(read.declaredSha256).toBe(read.bodySha256);
      expect(known.has(read.headSha256 ?? '')).toBe(true);
    }
  }, 120_000);
});
