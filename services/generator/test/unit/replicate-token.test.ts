import type { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  fetchWithToken,
  ReplicateTokenMissingError,
  replicateToken,
} from '../../src/rendering/replicate-token';

/** A fake SSM that answers GetParameter and counts the calls. */
function fakeSsm(value: string | undefined) {
  const calls: string[] = [];
  const client = {
    send: async (command: GetParameterCommand) => {
      calls.push(String(command.input.Name));
      if (!command.input.WithDecryption) throw new Error('the token must be decrypted');
      return { Parameter: value === undefined ? undefined : { Value: value } };
    },
  } as unknown as SSMClient;
  return { calls, ssm: () => client };
}

describe('the Replicate token', () => {
  it('comes from the environment when it is set there (local mode)', async () => {
    const { calls, ssm } = fakeSsm('from-ssm');
    const token = replicateToken(
      { REPLICATE_API_TOKEN: 'r8_local', REPLICATE_API_TOKEN_PARAMETER: '/x' },
      ssm,
    );
    await expect(token()).resolves.toBe('r8_local');
    expect(calls).toHaveLength(0);
  });

  it('is read from its SSM SecureString once per cold start in the cloud', async () => {
    const { calls, ssm } = fakeSsm('r8_cloud');
    const token = replicateToken({ REPLICATE_API_TOKEN_PARAMETER: '/reelay/prod/replicate-api-token' }, ssm);
    await expect(Promise.all([token(), token(), token()])).resolves.toEqual([
      'r8_cloud',
      'r8_cloud',
      'r8_cloud',
    ]);
    expect(calls).toEqual(['/reelay/prod/replicate-api-token']);
  });

  it('names the missing setting, and an empty parameter, instead of calling Replicate unauthenticated', async () => {
    expect(() => replicateToken({})).toThrow(ReplicateTokenMissingError);
    expect(() => replicateToken({})).toThrow(/REPLICATE_API_TOKEN_PARAMETER/);
    const { ssm } = fakeSsm(undefined);
    await expect(replicateToken({ REPLICATE_API_TOKEN_PARAMETER: '/p' }, ssm)()).rejects.toThrow(
      /\/p is empty/,
    );
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
