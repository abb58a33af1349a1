import { EventPublisher, SOURCES, videoComposed } from '@reelay/events';
import { readJobRecord } from '@reelay/job-records';
import {
  dynamoDocumentClient,
  eventBridgeClient,
  eventConsumer,
  readConfig,
  s3Client,
  ssmClient,
} from '@reelay/lambda';
import { z } from 'zod';
import { apiTableConfig, busConfig, jobsTableConfig, mediaConfig } from '../../config';
import { readYouTubeConnection } from '../../connections/connection-store';
import { connectionsConfig } from '../../connections/connections-config';
import { powertools } from '../../powertools';
import { type PublishJobDeps, publishComposedVideo } from '../../publishing/publish-job';
import { publishBucketsConfig } from '../../publishing/s3-destination';
import { GOOGLE_ENDPOINTS } from '../../publishing/youtube-resumable-upload';

const config = readConfig({
  ...apiTableConfig,
  ...jobsTableConfig,
  ...busConfig,
  ...mediaConfig,
  ...connectionsConfig,
  ...publishBucketsConfig,
  // Google's endpoints on AWS; the embedded cloud points them at its YouTube twin.
  YOUTUBE_API_URL: z.string().url().default(GOOGLE_ENDPOINTS.apiUrl),
  YOUTUBE_OAUTH_TOKEN_URL: z.string().url().default(GOOGLE_ENDPOINTS.tokenUrl),
  /** A claim's lease: the function's timeout (serverless.yml), so a crashed holder's lease ends before SQS redelivers. */
  PUBLISH_LEASE_SEC: z.coerce.number().int().min(1).default(300),
});
const ssm = ssmClient();
const connectionDeps = { ssm, parameterPrefix: config.CONNECTIONS_PARAMETER_PREFIX };
const doc = dynamoDocumentClient();
/** The picture scenes the generator planned, as the ledger recorded them (narration and music have no picture). */
const readPlannedScenes = async (jobId: string) =>
  ((await readJobRecord(doc, config.JOBS_TABLE, jobId))?.scenes ?? [])
    .filter((scene) => (scene.kind === 'video' || scene.kind === 'image') && scene.prompt)
    .map((scene) => scene.prompt as string);
const deps: PublishJobDeps = {
  doc,
  table: config.API_TABLE,
  publisher: new EventPublisher({
    client: eventBridgeClient(),
    busName: config.EVENT_BUS_NAME,
    source: SOURCES.api,
  }),
  s3: s3Client(),
  mediaBucket: config.MEDIA_BUCKET,
  publishBuckets: config.PUBLISH_BUCKETS,
  readConnection: (userId, name) => readYouTubeConnection(userId, name, connectionDeps),
  endpoints: { apiUrl: config.YOUTUBE_API_URL, tokenUrl: config.YOUTUBE_OAUTH_TOKEN_URL },
  leaseMs: config.PUBLISH_LEASE_SEC * 1000,
  readPlannedScenes,
};

/**
 * VideoComposed -> the job's `publish` destinations, each exactly once (src/publishing/publish-job):
 * VideoPublished or PublishFailed per destination. Transient failures throw: the message is retried
 * (the upload resumes from its saved session) and dead-letters after maxReceiveCount.
 */
export const handler = eventConsumer(powertools, [videoComposed], {}, async (event, { logger }) => {
  const outcomes = await publishComposedVideo(event.detail, deps);
  logger.info('publishing handled', { jobId: event.detail.jobId, outcomes });
});
