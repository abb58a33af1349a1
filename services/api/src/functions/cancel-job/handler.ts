import { EventPublisher, SOURCES } from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, readConfig } from '@reelay/lambda';
import { apiTableConfig, busConfig, jobsTableConfig } from '../../config';
import { httpHandler } from '../../http/http-handler';
import { type CancelJobDeps, cancelJob } from '../../jobs/cancel-job';

const config = readConfig({ ...busConfig, ...apiTableConfig, ...jobsTableConfig });
const deps: CancelJobDeps = {
  doc: dynamoDocumentClient(),
  table: config.API_TABLE,
  jobsTable: config.JOBS_TABLE,
  publisher: new EventPublisher({
    client: eventBridgeClient(),
    busName: config.EVENT_BUS_NAME,
    source: SOURCES.api,
  }),
};

/** POST /jobs/{jobId}/cancel: publishes JobFailed(stage=cancel). */
export const handler = httpHandler({
  'POST /jobs/{jobId}/cancel': (userId, event) => cancelJob(userId, event.pathParameters?.jobId, deps),
});
