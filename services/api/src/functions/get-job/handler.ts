import { dynamoDocumentClient, httpHandler, readConfig, s3Client } from '@reelay/lambda';
import { apiTableConfig, jobsTableConfig, mediaConfig } from '../../config';
import { type GetJobDeps, getJob } from '../../jobs/get-job';
import { listJobs } from '../../jobs/list-jobs';
import { powertools } from '../../powertools';

const config = readConfig({ ...jobsTableConfig, ...apiTableConfig, ...mediaConfig });
const deps: GetJobDeps = {
  doc: dynamoDocumentClient(),
  jobsTable: config.JOBS_TABLE,
  table: config.API_TABLE,
  s3: s3Client(),
  mediaBucket: config.MEDIA_BUCKET,
};

/** GET /jobs/{jobId} and GET /jobs: the caller's jobs, read from the ledger's record and the api's own. */
export const handler = httpHandler(powertools, {
  'GET /jobs/{jobId}': (userId, event) => getJob(userId, event.pathParameters?.jobId, deps),
  'GET /jobs': (userId, event) => listJobs(userId, event.queryStringParameters, deps),
});
