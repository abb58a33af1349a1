import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { ssmClient } from './aws-clients';

/** How long a secret read from SSM is kept before it is read again (a rotated secret shows by then). */
export const SECRET_MAX_AGE_SEC = 300;

/** An SSM parameter that exists but holds nothing usable. */
export class SecretParameterEmptyError extends Error {
  readonly code = 'SECRET_PARAMETER_EMPTY';
  readonly retryable = false;
  constructor(name: string) {
    super(`SSM parameter ${name} is empty`);
    this.name = 'SecretParameterEmptyError';
  }
}

let provider: SSMProvider | undefined;

/**
 * A reader of one SecureString through Powertools Parameters: decrypted, cached for `maxAgeSec`, and
 * read again on the next call after a failed read (a failure is never cached). The SSM client is
 * libs/lambda's, so it is traced and reaches a local endpoint through AWS_ENDPOINT_URL_SSM.
 */
export function secretParameter(name: string, maxAgeSec = SECRET_MAX_AGE_SEC): () => Promise<string> {
  return async () => {
    provider ??= new SSMProvider({ awsSdkV3Client: ssmClient() });
    const value = await provider.get(name, { decrypt: true, maxAge: maxAgeSec });
    if (typeof value !== 'string' || value.length === 0) throw new SecretParameterEmptyError(name);
    return value;
  };
}
