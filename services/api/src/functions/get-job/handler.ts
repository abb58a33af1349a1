import { dynamoDocumentClient, readConfig } from '@reelay/lambda';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { callerId } from '../../http/caller';
import { problem } from '../../http/problem';
import { getJob } from '../../jobs/get-job';

const config = readConfig({ JOBS_TABLE: z.string().min(1) });
const doc = dynamoDocumentClient();

export const handler = async (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<APIGatewayProxyResultV2> => {
  const userId = callerId(event);
  if (!userId)
    return problem({ status: 401, title: 'Unauthorized', detail: 'a valid bearer token is required' });
  return getJob(userId, event.pathParameters?.jobId, { doc, jobsTable: config.JOBS_TABLE });
};
