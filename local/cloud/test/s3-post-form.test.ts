import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { type LocalS3, startLocalS3 } from '../src/local-s3';

/**
 * Browser uploads (presigned POST) through the local S3, read as S3 reads the form: exactly one file
 * part, field names in any letter case, the multipart media type in any letter case.
 */
describe('the local S3 reads a POST upload form as S3 does', () => {
  let local: LocalS3;
  let s3: S3Client;
  const BUCKET = 'post-form-bucket';
  let seq = 0;

  beforeAll(async () => {
    local = await startLocalS3();
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: local.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterAll(async () => {
    s3?.destroy();
    await local?.close();
  });

  /** A policy for one key of exactly 100 bytes of image/png. */
  async function presigned() {
    const Key = `uploads/alice/${++seq}.png`;
    const post = await createPresignedPost(s3, {
      Bucket: BUCKET,
      Key,
      Conditions: [
        ['content-length-range', 100, 100],
        ['eq', '$Content-Type', 'image/png'],
      ],
      Fields: { 'Content-Type': 'image/png' },
      Expires: 900,
    });
    return { Key, url: post.url, fields: post.fields };
  }

  const stored = (Key: string) =>
    s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key })).then(
      () => true,
      () => false,
    );
  const errorCode = (xml: string) => xml.match(/<Code>([^<]+)<\/Code>/)?.[1];

  it('refuses a form with two file parts (a large first, the allowed size last) and stores nothing', async () => {
    const { Key, url, fields } = await presigned();
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([Buffer.alloc(5 * 1024 * 1024)]), 'big.png');
    form.append('file', new Blob([Buffer.alloc(100)]), 'small.png');

    const res = await fetch(url, { method: 'POST', body: form });

    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe('InvalidArgument');
    expect(await stored(Key)).toBe(false);
  });

  it('refuses a form with no file part', async () => {
    const { url, fields } = await presigned();
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);

    const res = await fetch(url, { method: 'POST', body: form });

    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe('InvalidArgument');
  });

  it('checks the policy of a form sent as Multipart/Form-Data in another letter case', async () => {
    const { Key, url, fields } = await presigned();
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([Buffer.alloc(5 * 1024 * 1024)]), 'big.png');
    const encoded = new Response(form);
    const contentType = String(encoded.headers.get('content-type')).replace(
      'multipart/form-data',
      'Multipart/Form-Data',
    );

    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: Buffer.from(await encoded.arrayBuffer()),
    });

    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe('EntityTooLarge');
    expect(await stored(Key)).toBe(false);
  });

  it('treats field names case-insensitively: a second key under another case is refused, not used', async () => {
    const { url, fields } = await presigned();
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('KEY', 'uploads/bob/owned.png');
    form.append('file', new Blob([Buffer.alloc(100)]), 'ok.png');

    const res = await fetch(url, { method: 'POST', body: form });

    expect(res.status).toBe(400);
    expect(await stored('uploads/bob/owned.png')).toBe(false);
  });

  it('counts a file part named File as the file, so its size is checked', async () => {
    const { Key, url, fields } = await presigned();
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('File', new Blob([Buffer.alloc(5 * 1024 * 1024)]), 'big.png');

    const res = await fetch(url, { method: 'POST', body: form });

    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe('EntityTooLarge');
    expect(await stored(Key)).toBe(false);
  });

  it('refuses a body that is not multipart/form-data though it says so, with S3’s 400', async () => {
    const { url } = await presigned();

    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: 'not a form',
    });

    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe('MalformedPOSTRequest');
  });

  it('stores an upload that meets its policy', async () => {
    const { Key, url, fields } = await presigned();
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([Buffer.alloc(100)]), 'ok.png');

    const res = await fetch(url, { method: 'POST', body: form });

    expect(res.status).toBeLessThan(300);
    expect(await stored(Key)).toBe(true);
  });
});
