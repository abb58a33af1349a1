import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { WebhookRejectedError } from '../errors';

export interface VerifiedWebhook {
  webhookId: string;
  body: unknown;
}

/**
 * Verifies a Replicate webhook as docs/architecture.md's security rules say, with the standardwebhooks library
 * (the replicate client's validateWebhook checks no timestamp and does not compare in constant time):
 * HMAC-SHA256 over `id.timestamp.body`, constant-time compare, timestamp within 5 minutes.
 */
export function verifyReplicateWebhook(
  secret: string,
  rawBody: string,
  headers: Record<string, string | undefined>,
): VerifiedWebhook {
  const webhookId = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (!webhookId || !timestamp || !signature)
    throw new WebhookRejectedError('webhook headers are missing', 401);
  try {
    const body = new Webhook(secret).verify(rawBody, {
      'webhook-id': webhookId,
      'webhook-timestamp': timestamp,
      'webhook-signature': signature,
    });
    return { webhookId, body };
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw new WebhookRejectedError(error.message, 401);
    throw new WebhookRejectedError('the webhook body is not JSON', 400);
  }
}
