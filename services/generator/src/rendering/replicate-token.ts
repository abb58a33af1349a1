import { secretParameter } from '@reelay/lambda';

/** Where the Replicate API token comes from: the environment locally, an SSM SecureString in the cloud. */
export interface ReplicateTokenSource {
  REPLICATE_API_TOKEN?: string | undefined;
  REPLICATE_API_TOKEN_PARAMETER?: string | undefined;
}

export class ReplicateTokenMissingError extends Error {
  readonly retryable = false;
}

/**
 * A function that yields the token: from the environment locally (no SSM there); in the cloud from
 * its SSM SecureString through Powertools Parameters (cached a few minutes, read again after a failed
 * read), so the secret never sits in the function's environment.
 */
export function replicateToken(source: ReplicateTokenSource): () => Promise<string> {
  const { REPLICATE_API_TOKEN: token, REPLICATE_API_TOKEN_PARAMETER: parameter } = source;
  if (token) return () => Promise.resolve(token);
  if (!parameter)
    throw new ReplicateTokenMissingError(
      'set REPLICATE_API_TOKEN, or REPLICATE_API_TOKEN_PARAMETER to its SSM name',
    );
  return secretParameter(parameter);
}

/** A fetch that sends the token from `token()` as the bearer, whatever the client was built with. */
export function fetchWithToken(token: () => Promise<string>, base: typeof fetch): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${await token()}`);
    return base(input, { ...init, headers });
  };
}
