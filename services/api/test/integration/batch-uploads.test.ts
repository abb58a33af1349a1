import { execFileSync } from 'node:child_process';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { jobSpecSchema } from '@reelay/events';
import { HttpProblemError } from '@reelay/lambda';
import { type LocalS3, startLocalS3 } from '../../../../local/cloud/src/local-s3';
import { createUpload } from '../../src/uploads/create-upload';
import { uploadResolver } from '../../src/uploads/resolve-uploads';
import { type ApiTableFixture, startApiTable } from '../support/api-table';

const BUCKET = 'batch-media';
const USER = 'batch-user';

interface Presigned {
  uploadId: string;
  url: string;
  fields: Record<string, string>;
}

/** What an HTTP error handler would answer for a refusal (status and problem), or the 201's body. */
async function answer(run: () => Promise<{ statusCode?: number; body?: string }>) {
  try {
    const res = await run();
    return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
  } catch (error) {
    if (error instanceof HttpProblemError)
      return { status: error.status, body: { detail: error.detail, errors: error.errors } };
    throw error;
  }
}

describe('POST /uploads in batch, and the uploads of a long job', () => {
  let table: ApiTableFixture;
  let local: LocalS3;
  let s3: S3Client;
  const deps = () => ({ doc: table.doc, table: table.table, s3, mediaBucket: BUCKET });

  beforeAll(async () => {
    [table, local] = await Promise.all([startApiTable(), startLocalS3()]);
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: local.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  }, 180_000);
  afterAll(async () => {
    s3?.destroy();
    await Promise.all([table?.close(), local?.close()]);
  });

  const batch = (files: Array<{ contentType: string; bytes: number }>) =>
    answer(() => createUpload(USER, { body: JSON.stringify({ files }) }, deps()));

  it('answers one presigned POST per file of a 120-file batch, in order, each accepted by S3', async () => {
    // Prepare: 120 pictures' declarations; one real picture to post to every target.
    const png = execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'color=c=navy:s=32x48', '-frames:v', '1'],
      ...['-f', 'image2pipe', '-c:v', 'png', 'pipe:1'],
    ]);
    const files = Array.from({ length: 120 }, () => ({ contentType: 'image/png', bytes: png.length }));

    // Act
    const res = await batch(files);
    const uploads = res.body.uploads as Presigned[];
    const posted = await Promise.all(
      uploads.slice(0, 5).map(async (u) => {
        const form = new FormData();
        for (const [k, v] of Object.entries(u.fields)) form.append(k, v);
        form.append('file', new Blob([png], { type: 'image/png' }), 'page.png');
        return (await fetch(u.url, { method: 'POST', body: form })).status;
      }),
    );

    // Assess
    expect(res.status).toBe(201);
    expect(uploads).toHaveLength(120);
    expect(new Set(uploads.map((u) => u.uploadId)).size).toBe(120);
    expect(uploads.every((u) => u.fields.key?.startsWith(`uploads/${USER}/${u.uploadId}.png`))).toBe(true);
    expect(posted.every((status) => status < 300)).toBe(true);
    // The first five are now usable by a story, resolved to their keys in order.
    const spec = jobSpecSchema.parse({
      recipe: 'story',
      uploads: uploads.slice(0, 5).map((u) => u.uploadId),
    });
    const keys = await uploadResolver(deps())(USER, spec);
    expect(keys).toEqual(uploads.slice(0, 5).map((u) => u.fields.key));
  }, 120_000);

  it('judges a picture from its header: bytes that are no picture make a 422 naming the upload', async () => {
    // Prepare: a declared PNG whose bytes are not a picture.
    const res = await batch([{ contentType: 'image/png', bytes: 4096 }]);
    const [target] = res.body.uploads as Presigned[];
    const form = new FormData();
    for (const [k, v] of Object.entries(target?.fields ?? {})) form.append(k, v);
    form.append('file', new Blob([Buffer.alloc(4096, 7)], { type: 'image/png' }), 'page.png');
    await fetch(target?.url ?? '', { method: 'POST', body: form });
    const spec = jobSpecSchema.parse({ recipe: 'story', uploads: [target?.uploadId] });

    // Act
    const refused = await answer(async () => {
      await uploadResolver(deps())(USER, spec);
      return { statusCode: 200 };
    });

    // Assess
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain('is not a picture we can read');
  });

  it('refuses a whole batch with 413 naming the file that is too large', async () => {
    const res = await batch([
      { contentType: 'image/png', bytes: 1000 },
      { contentType: 'image/png', bytes: 21 * 1024 * 1024 },
    ]);

    expect(res.status).toBe(413);
    expect(res.body.detail).toContain('file 1 is 22020096');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'files.1.bytes' })]);
  });

  it('refuses a batch over the story page limit and an empty one', async () => {
    const tooMany = await batch(Array.from({ length: 301 }, () => ({ contentType: 'image/png', bytes: 10 })));
    const none = await batch([]);

    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toContain('at most 300 files');
    expect(none.status).toBe(400);
  });

  it('refuses a merge whose clips together run over an hour, with 422 naming the limit', async () => {
    // Prepare: 2 uploads recorded as validated clips of 40 minutes each (as validation records them).
    const ids = ['01J00000000000000000000001', '01J00000000000000000000002'];
    for (const id of ids) {
      await table.doc.send(
        new PutCommand({
          TableName: table.table,
          Item: {
            pk: `USER#${USER}`,
            sk: `UPLOAD#${id}`,
            uploadId: id,
            key: `uploads/${USER}/${id}.mp4`,
            contentType: 'video/mp4',
            kind: 'video',
            status: 'VALID',
            durationSec: 2400,
          },
        }),
      );
    }
    const spec = jobSpecSchema.parse({ recipe: 'merge', uploads: ids });

    // Act
    const res = await answer(async () => {
      await uploadResolver(deps())(USER, spec);
      return { statusCode: 200 };
    });

    // Assess
    expect(res.status).toBe(422);
    expect(res.body.detail).toBe('the clips run 4800 s together; a merge job is limited to 3600 s');
  });
});
