import { createHmac, randomBytes } from 'node:crypto';

export class InvalidWebhookSecretError extends Error {
  readonly retryable = false;
  constructor() {
    super('the webhook signing secret must look like whsec_<base64>');
    this.name = 'InvalidWebhookSecretError';
  }
}

/** The HMAC key: the base64 part of "whsec_<base64>", decoded, as Standard Webhooks define it. */
export function webhookSigningKey(secret: string): Buffer {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  const key = match?.[1] ? Buffer.from(match[1], 'base64') : Buffer.alloc(0);
  if (key.length === 0) throw new InvalidWebhookSecretError();
  return key;
}

/** "v1,<base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`>", the webhook-signature header. */
export function signWebhook(key: Buffer, id: string, timestampSec: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64')}`;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}
