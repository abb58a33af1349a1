import {
  bodyText,
  dynamoDocumentClient,
  HttpProblemError,
  publicHttpHandler,
  readConfig,
} from '@reelay/lambda';
import { z } from 'zod';
import { WebhookRejectedError } from '../../errors';
import { logger, powertools } from '../../powertools';
import { renderTaskDeps } from '../../rendering/task-deps';
import { handleReplicateWebhook } from '../../webhooks/handle-replicate-webhook';
import { WebhookDeliveries } from '../../webhooks/webhook-deliveries';
import { webhookSecret } from '../../webhooks/webhook-secret';

const config = readConfig({ GENERATOR_TABLE: z.string().min(1) });
const deps = renderTaskDeps();
const deliveries = new WebhookDeliveries(dynamoDocumentClient(), config.GENERATOR_TABLE);

/**
 * POST /webhooks/replicate (no JWT: the signature is the authentication). A refused webhook (bad
 * signature 401, not a scene attempt 400) is a problem+json Replicate does not retry; anything else
 * ends in libs/lambda's error handler as a 500 with the request id, which Replicate retries.
 */
export const handler = publicHttpHandler(powertools, async (event) => {
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const query = event.queryStringParameters ?? {};
  // One request per invocation: withPowertools' resetKeys clears these after it.
  logger.appendKeys({
    ...(query.jobId ? { jobId: query.jobId } : {}),
    ...(headers['webhook-id'] ? { correlationId: headers['webhook-id'] } : {}),
  });
  try {
    const outcome = await handleReplicateWebhook(
      { rawBody: bodyText(event), headers, query },
      // Read per request (Powertools Parameters caches it): a failed read fails this request only
      // (a 500 Replicate retries), never every later one of the sandbox.
      { ...deps, secret: await webhookSecret(), deliveries },
    );
    logger.info('replicate webhook', { outcome });
    return { statusCode: 204 };
  } catch (error) {
    if (error instanceof WebhookRejectedError) throw new WebhookRefusedError(error);
    throw error;
  }
});

/** The HTTP face of a WebhookRejectedError: its 400 or 401, as problem+json. */
class WebhookRefusedError extends HttpProblemError {
  constructor(rejection: WebhookRejectedError) {
    super(
      {
        status: rejection.statusCode,
        title: rejection.statusCode === 401 ? 'Unauthorized' : 'Bad Request',
        detail: rejection.message,
      },
      { cause: rejection },
    );
  }
}
