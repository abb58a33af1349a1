import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
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
});
