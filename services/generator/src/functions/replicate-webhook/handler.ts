import { dynamoDocumentClient, readConfig } from '@reelay/lambda';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { WebhookRejectedError } from '../../errors';
import { logger } from '../../powertools';
import { renderTaskDeps } from '../../rendering/task-deps';
import { handleReplicateWebhook } from '../../webhooks/handle-replicate-webhook';
import { WebhookDeliveries } from '../../webhooks/webhook-deliveries';
import { webhookSecret } from '../../webhooks/webhook-secret';

const config = readConfig({ GENERATOR_TABLE: z.string().min(1) });
const deps = renderTaskDeps();
const deliveries = new WebhookDeliveries(dynamoDocumentClient(), config.GENERATOR_TABLE);
const secret = webhookSecret();
// Awaited per request; a failed read fails the request (500, Replicate retries), not the cold start.
secret.catch(() => undefined);

/** POST /webhooks/replicate (no JWT: the signature is the authentication). */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const rawBody = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const query = event.queryStringParameters ?? {};
  try {
    const outcome = await handleReplicateWebhook(
      { rawBody, headers, query },
      { ...deps, secret: await secret, deliveries },
    );
    logger.info('replicate webhook', { jobId: query.jobId, correlationId: headers['webhook-id'], outcome });
    return { statusCode: 204 };
  } catch (error) {
    if (error instanceof WebhookRejectedError) {
      logger.warn('replicate webhook rejected', {
        jobId: query.jobId,
        correlationId: headers['webhook-id'],
        reason: error.message,
      });
      return {
        statusCode: error.statusCode,
        headers: { 'content-type': 'application/problem+json' },
        body: JSON.stringify({
          title: error.statusCode === 401 ? 'Unauthorized' : 'Bad Request',
          status: error.statusCode,
          detail: error.message,
        }),
      };
    }
    logger.error('replicate webhook failed', {
      jobId: query.jobId,
      correlationId: headers['webhook-id'],
      error,
    });
    throw error;
  }
};
