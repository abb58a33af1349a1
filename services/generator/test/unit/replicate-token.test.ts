/**
 * The Replicate token and the webhook secret: from the environment locally, from SSM SecureStrings
 * in the cloud (the real SDK client against a local SSM twin).
 */
import { type SsmTwin, startSsmTwinForSdk } from '../../../../libs/lambda/test/support/ssm-twin';
import {
  fetchWithToken,
  ReplicateTokenMissingError,
  replicateToken,
} from '../../src/rendering/replicate-token';
import { webhookSecret } from '../../src/webhooks/webhook-secret';

let ssm: SsmTwin;
beforeAll(async () => {
  ssm = await startSsmTwinForSdk();
});
afterAll(() => ssm.close());

describe('the Replicate token', () => {
  it('comes from the environment when it is set there (local mode), without asking SSM', async () => {
    const token = replicateToken({ REPLICATE_API_TOKEN: 'r8_local', REPLICATE_API_TOKEN_PARAMETER: '/x' });
    await expect(token()).resolves.toBe('r8_local');
    expect(ssm.requests.filter((r) => r.name === '/x')).toHaveLength(0);
  });

  it('is read decrypted from its SSM SecureString, once while it is fresh', async () => {
    ssm.putSecureString('/reelay/prod/replicate-api-token', 'r8_cloud');
    const token = replicateToken({ REPLICATE_API_TOKEN_PARAMETER: '/reelay/prod/replicate-api-token' });
    await expect(token()).resolves.toBe('r8_cloud');
    await expect(Promise.all([token(), token()])).resolves.toEqual(['r8_cloud', 'r8_cloud']);
    expect(ssm.requests.filter((r) => r.name === '/reelay/prod/replicate-api-token')).toEqual([
      { name: '/reelay/prod/replicate-api-token', withDecryption: true },
    ]);
  });

  it('names the missing setting instead of calling Replicate unauthenticated', () => {
    expect(() => replicateToken({})).toThrow(ReplicateTokenMissingError);
    expect(() => replicateToken({})).toThrow(/REPLICATE_API_TOKEN_PARAMETER/);
  });

  it('is sent as the bearer of every request when it is resolved per request', async () => {
    const seen: string[] = [];
    const base = (async (_input: unknown, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get('authorization') ?? '');
      return new Response('{}');
    }) as typeof fetch;
    const fetchImpl = fetchWithToken(() => Promise.resolve('r8_cloud'), base);
    await fetchImpl('https://api.replicate.com/v1/predictions', {
      headers: { authorization: 'Bearer resolved-per-request', 'content-type': 'application/json' },
    });
    expect(seen).toEqual(['Bearer r8_cloud']);
  });
});

describe('the webhook secret', () => {
  it('comes from the environment locally', async () => {
    await expect(webhookSecret({ REPLICATE_WEBHOOK_SECRET: 'whsec_local' })).resolves.toBe('whsec_local');
  });

  it('is read again on the next request after a failed SSM read, not kept failed for the sandbox', async () => {
    // Prepare: the first read fails (the parameter is not there yet)
    const env = { REPLICATE_WEBHOOK_SECRET_PARAMETER: '/reelay/prod/replicate-webhook-secret' };
    await expect(webhookSecret(env)).rejects.toThrow(/replicate-webhook-secret/);

    // Act
    ssm.putSecureString('/reelay/prod/replicate-webhook-secret', 'whsec_cloud');
    const secret = await webhookSecret(env);

    // Assess
    expect(secret).toBe('whsec_cloud');
  });
});
