import { dynamoDocumentClient, httpHandler, readConfig, s3Client } from '@reelay/lambda';
import { apiTableConfig, mediaConfig } from '../../config';
import { powertools } from '../../powertools';
import { type CreateUploadDeps, createUpload } from '../../uploads/create-upload';

const config = readConfig({ ...apiTableConfig, ...mediaConfig });
const deps: CreateUploadDeps = {
  doc: dynamoDocumentClient(),
  table: config.API_TABLE,
  s3: s3Client(),
  mediaBucket: config.MEDIA_BUCKET,
};

/** POST /uploads: a presigned POST for one file under the caller's prefix. */
export const handler = httpHandler(powertools, {
  'POST /uploads': (userId, event) => createUpload(userId, event, deps),
});
