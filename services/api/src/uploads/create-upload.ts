import type { S3Client } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { JOB_LIMITS } from '@reelay/events';
import { type HttpRequestParts, type HttpResponse, json, readJsonObject, validate } from '@reelay/lambda';
import { ulid } from 'ulid';
import { z } from 'zod';
import type { TableDeps } from '../jobs/create-job';
import { uploadSk, userPk } from '../table/api-table';
import { UploadsNotAllowedError, UploadTooLargeError } from './upload-errors';
import { UPLOAD_CONTENT_TYPES, UPLOAD_TYPES, UPLOAD_URL_TTL_SEC, uploadKey } from './upload-types';

export interface CreateUploadDeps extends TableDeps {
  s3: S3Client;
  mediaBucket: string;
  now?: () => Date;
}

const fileSchema = z.strictObject({
  contentType: z.enum(UPLOAD_CONTENT_TYPES),
  /** The file's size in bytes: the presigned POST accepts exactly this size. */
  bytes: z.number().int().min(1),
});

/**
 * One file (`{ contentType, bytes }`), or a batch of them (`{ files: [...] }`, up to a story's
 * page limit): a 120-page story is one request, not 120 round trips.
 */
const batchSchema = z.strictObject({
  files: z
    .array(fileSchema)
    .min(1)
    .max(
      JOB_LIMITS.storyPages,
      `a batch holds at most ${JOB_LIMITS.storyPages} files (a story's page limit)`,
    ),
});
export const createUploadRequestSchema = z.union([fileSchema, batchSchema]);

/** Upload records written at once for a batch: DynamoDB takes them in parallel, the role may only PutItem. */
const RECORD_WRITES_AT_ONCE = 16;

/** S3 keys are the service's: uploads/<userId>/<ulid>.<ext>; user ids outside this alphabet cannot upload. */
const KEYABLE_USER_ID = /^[A-Za-z0-9_\-:.@]{1,128}$/;

/**
 * POST /uploads: a presigned POST per file (exact key under the caller's prefix, the declared content
 * type and size, 15 minutes). Each upload is recorded PENDING and validated when a job first names it.
 * One file answers `{ uploadId, url, fields, expiresAt, maxBytes }`; a batch answers `{ uploads: [...] }`
 * with one such entry per file, in order. A file over its type's size refuses the whole batch (413,
 * naming the file), before anything is recorded.
 */
export async function createUpload(
  userId: string,
  req: HttpRequestParts,
  deps: CreateUploadDeps,
): Promise<HttpResponse> {
  const body = readJsonObject(req);
  // Validated against the form it is (a union's refusal would only say "Invalid input").
  const request: z.infer<typeof createUploadRequestSchema> =
    'files' in body
      ? validate(batchSchema, body, 'Invalid upload request')
      : validate(fileSchema, body, 'Invalid upload request');
  const files = 'files' in request ? request.files : [request];
  for (const [index, { contentType, bytes }] of files.entries()) {
    const { maxBytes } = UPLOAD_TYPES[contentType];
    if (bytes > maxBytes)
      throw new UploadTooLargeError(contentType, maxBytes, bytes, 'files' in request ? index : undefined);
  }
  if (!KEYABLE_USER_ID.test(userId)) throw new UploadsNotAllowedError();
  const now = deps.now?.() ?? new Date();
  const uploads: PresignedUpload[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      uploads[i] = await presignOne(userId, files[i] as z.infer<typeof fileSchema>, now, deps);
    }
  };
  await Promise.all(Array.from({ length: Math.min(RECORD_WRITES_AT_ONCE, files.length) }, worker));
  return 'files' in request ? json(201, { uploads }) : json(201, uploads[0]);
}

interface PresignedUpload {
  uploadId: string;
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
  maxBytes: number;
}

async function presignOne(
  userId: string,
  { contentType, bytes }: z.infer<typeof fileSchema>,
  now: Date,
  deps: CreateUploadDeps,
): Promise<PresignedUpload> {
  const type = UPLOAD_TYPES[contentType];
  // ulid's monotonic factory is not needed: ids made in the same millisecond differ in their random part.
  const uploadId = ulid(now.getTime());
  const key = uploadKey(userId, uploadId, contentType);
  const post = await createPresignedPost(deps.s3, {
    Bucket: deps.mediaBucket,
    Key: key,
    Conditions: [
      ['content-length-range', bytes, bytes],
      ['eq', '$Content-Type', contentType],
    ],
    Fields: { 'Content-Type': contentType },
    Expires: UPLOAD_URL_TTL_SEC,
  });
  const expiresAt = new Date(now.getTime() + UPLOAD_URL_TTL_SEC * 1000).toISOString();
  await deps.doc.send(
    new PutCommand({
      TableName: deps.table,
      Item: {
        pk: userPk(userId),
        sk: uploadSk(uploadId),
        uploadId,
        key,
        contentType,
        bytes,
        kind: type.kind,
        status: 'PENDING',
        createdAt: now.toISOString(),
        // Unused uploads disappear with the bucket's 30-day lifecycle rule; so does their record.
        expiresAt: Math.floor(now.getTime() / 1000) + 30 * 24 * 3600,
      },
    }),
  );
  return { uploadId, url: post.url, fields: post.fields, expiresAt, maxBytes: bytes };
}
