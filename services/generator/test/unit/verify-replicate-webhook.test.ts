import { Webhook } from 'standardwebhooks';
import { WebhookRejectedError } from '../../src/errors';
import { verifyReplicateWebhook } from '../../src/webhooks/verify-replicate-webhook';

const secret = `whsec_${Buffer.from('a-test-signing-key-of-some-length').toString('base64')}`;
const body = JSON.stringify({ id: 'p1', status: 'succeeded' });

function signed(options: { key?: string; ageSec?: number } = {}) {
  const timestamp = new Date(Date.now() - (options.ageSec ?? 0) * 1000);
  const signature = new Webhook(options.key ?? secret).sign('msg_1', timestamp, body);
  return {
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

const statusOf = (headers: Record<string, string | undefined>, raw = body) => {
  try {
    verifyReplicateWebhook(secret, raw, headers);
    return 200;
  } catch (error) {
    if (error instanceof WebhookRejectedError) return error.statusCode;
    throw error;
  }
};

describe('Replicate webhook verification', () => {
  it('accepts a webhook signed with the secret within 5 minutes', () => {
    expect(verifyReplicateWebhook(secret, body, signed())).toEqual({
      webhookId: 'msg_1',
      body: { id: 'p1', status: 'succeeded' },
    });
  });

  it('refuses a signature made with another key (401)', () => {
    const other = `whsec_${Buffer.from('not-the-signing-key-at-all!!').toString('base64')}`;
    expect(statusOf(signed({ key: other }))).toBe(401);
  });

  it('refuses a body changed after signing (401)', () => {
    expect(statusOf(signed(), body.replace('succeeded', 'failed'))).toBe(401);
  });

  it('refuses a timestamp older than 5 minutes (401)', () => {
    expect(statusOf(signed({ ageSec: 301 + 5 }))).toBe(401);
  });

  it('refuses a webhook without its headers (401)', () => {
    expect(statusOf({ 'webhook-id': 'msg_1' })).toBe(401);
  });
});
