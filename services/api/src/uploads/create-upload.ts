import type { S3Client } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
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

export const createUploadRequestSchema = z.strictObject({
  contentType: z.enum(UPLOAD_CONTENT_TYPES),
  /** The file's size in bytes: the presigned POST accepts exactly this size. */
  bytes: z.number().int().min(1),
});

/** S3 keys are the service's: uploads/<userId>/<ulid>.<ext>; user ids outside this alphabet cannot upload. */
const KEYABLE_USER_ID = /^[A-Za-z0-9_\-:.@]{1,128}$/;

/**
 * POST /uploads: a presigned POST for one file (exact key under the caller's prefix, the declared content
 * type and size, 15 minutes). The upload is recorded PENDING and validated when a job first names it.
 */
export async function createUpload(
  userId: string,
  req: HttpRequestParts,
  deps: CreateUploadDeps,
): Promise<HttpResponse> {
  const { contentType, bytes } = validate(
    createUploadRequestSchema,
    readJsonObject(req),
    'Invalid upload request',
  );
  const type = UPLOAD_TYPES[contentType];
  if (bytes > type.maxBytes) throw new UploadTooLargeError(contentType, type.maxBytes, bytes);
  if (!KEYABLE_USER_ID.test(userId)) throw new UploadsNotAllowedError();
  const now = deps.now?.() ?? new Date();
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
  return json(201, { uploadId, url: post.url, fields: post.fields, expiresAt, maxBytes: bytes });
}
