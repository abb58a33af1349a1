import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

/** Where the Replicate API token comes from: the environment locally, an SSM SecureString in the cloud. */
export interface ReplicateTokenSource {
  REPLICATE_API_TOKEN?: string | undefined;
  REPLICATE_API_TOKEN_PARAMETER?: string | undefined;
}

export class ReplicateTokenMissingError extends Error {
  readonly retryable = false;
}

/**
 * A function that yields the token, reading SSM at most once per cold start (and again only after
 * a failed read), so the secret never sits in the function's environment in the cloud.
 */
export function replicateToken(source: ReplicateTokenSource, ssm: () => SSMClient = () => new SSMClient({})) {
  const { REPLICATE_API_TOKEN: token, REPLICATE_API_TOKEN_PARAMETER: parameter } = source;
  if (token) return () => Promise.resolve(token);
  if (!parameter)
    throw new ReplicateTokenMissingError(
      'set REPLICATE_API_TOKEN, or REPLICATE_API_TOKEN_PARAMETER to its SSM name',
    );
  let pending: Promise<string> | undefined;
  return () => {
    pending ??= ssm()
      .send(new GetParameterCommand({ Name: parameter, WithDecryption: true }))
      .then(({ Parameter }) => {
        if (!Parameter?.Value) throw new ReplicateTokenMissingError(`SSM parameter ${parameter} is empty`);
        return Parameter.Value;
      })
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
}

/** A fetch that sends the token from `token()` as the bearer, whatever the client was built with. */
export function fetchWithToken(token: () => Promise<string>, base: typeof fetch): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${await token()}`);
    return base(input, { ...init, headers });
  };
}
