import { EventPublisher, SOURCES } from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, httpHandler, readConfig } from '@reelay/lambda';
import { apiTableConfig, busConfig, jobsTableConfig } from '../../config';
import { type CancelJobDeps, cancelJob } from '../../jobs/cancel-job';
import { powertools } from '../../powertools';

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
export const handler = httpHandler(powertools, {
  'POST /jobs/{jobId}/cancel': (userId, event) => cancelJob(userId, event.pathParameters?.jobId, deps),
});
