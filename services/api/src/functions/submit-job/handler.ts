import { EventPublisher, SOURCES } from '@reelay/events';
import { eventBridgeClient, readConfig } from '@reelay/lambda';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { callerId } from '../../http/caller';
import { problem } from '../../http/problem';
import { submitJob } from '../../jobs/submit-job';
import { logger } from '../../powertools';

const config = readConfig({ EVENT_BUS_NAME: z.string().min(1) });
const publisher = new EventPublisher({
  client: eventBridgeClient(),
  busName: config.EVENT_BUS_NAME,
  source: SOURCES.api,
});

export const handler = async (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<APIGatewayProxyResultV2> => {
  const userId = callerId(event);
  if (!userId)
    return problem({ status: 401, title: 'Unauthorized', detail: 'a valid bearer token is required' });
  const response = await submitJob(userId, event.body, { publisher });
  logger.info('job submitted', {
    userId,
    statusCode: typeof response === 'object' ? response.statusCode : undefined,
  });
  return response;
};
