import { EventPublisher, SOURCES } from '@reelay/events';
import {
  dynamoDocumentClient,
  eventBridgeClient,
  httpHandler,
  readConfig,
  s3Client,
  ssmClient,
} from '@reelay/lambda';
import { admissionConfig, apiTableConfig, busConfig, mediaConfig, quotaConfig } from '../../config';
import { connectionExists } from '../../connections/connection-store';
import { connectionsConfig } from '../../connections/connections-config';
import { logCreatedJob } from '../../jobs/log-created-job';
import { regenerateJob } from '../../jobs/regenerate-job';
import { type SubmitJobDeps, submitJob } from '../../jobs/submit-job';
import { powertools } from '../../powertools';
import { publishBucketsConfig } from '../../publishing/s3-destination';
import { uploadResolver } from '../../uploads/resolve-uploads';

const config = readConfig({
  ...busConfig,
  ...apiTableConfig,
  ...mediaConfig,
  ...quotaConfig,
  ...admissionConfig,
  ...connectionsConfig,
  ...publishBucketsConfig,
});
const doc = dynamoDocumentClient();
const ssm = ssmClient();
const tableDeps = { doc, table: config.API_TABLE };
const deps: SubmitJobDeps = {
  ...tableDeps,
  publisher: new EventPublisher({
    client: eventBridgeClient(),
    busName: config.EVENT_BUS_NAME,
    source: SOURCES.api,
  }),
  quota: { unit: config.QUOTA_UNIT, perDay: config.QUOTA_PER_DAY },
  admission: { maxConcurrentJobs: config.MAX_CONCURRENT_JOBS },
  resolveUploads: uploadResolver({ ...tableDeps, s3: s3Client(), mediaBucket: config.MEDIA_BUCKET }),
  // A job naming a connection the user has not stored is a 400 at submit (publish-connections).
  connectionExists: (userId, type, name) =>
    connectionExists(userId, type, name, { ssm, parameterPrefix: config.CONNECTIONS_PARAMETER_PREFIX }),
  // An S3 destination must name a bucket the deployment may write (publishBuckets).
  publishBuckets: config.PUBLISH_BUCKETS,
};

/** POST /jobs and POST /jobs/{jobId}/regenerate: both create a job (quota, idempotency, JobRequested). */
export const handler = httpHandler(powertools, {
  'POST /jobs': async (userId, event) =>
    logCreatedJob(powertools.logger, await submitJob(userId, event, deps)),
  'POST /jobs/{jobId}/regenerate': async (userId, event) =>
    logCreatedJob(
      powertools.logger,
      await regenerateJob(userId, event.pathParameters?.jobId, event, deps),
      event.pathParameters?.jobId,
    ),
});
