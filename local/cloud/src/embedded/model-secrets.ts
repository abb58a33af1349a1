import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { CloudFormationTemplate } from '../../../packaging/src';

/** The environment variables that name the model provider's secrets in SSM, as the templates set them. */
const SECRET_NAME_VARIABLES = {
  apiToken: 'REPLICATE_API_TOKEN_PARAMETER',
  webhookSecret: 'REPLICATE_WEBHOOK_SECRET_PARAMETER',
} as const;

export type ModelSecrets = Record<keyof typeof SECRET_NAME_VARIABLES, string>;

/**
 * The SSM names the packaged templates give the functions for the Replicate token and webhook
 * secret (every function of a template names the same ones; the first that names one wins).
 */
export function modelSecretNames(
  templates: readonly CloudFormationTemplate[],
): Partial<Record<keyof ModelSecrets, string>> {
  const names: Partial<Record<keyof ModelSecrets, string>> = {};
  for (const template of templates) {
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const variables = (
        resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
      )?.Variables;
      for (const [key, variable] of Object.entries(SECRET_NAME_VARIABLES) as Array<
        [keyof ModelSecrets, string]
      >) {
        const value = variables?.[variable];
        if (typeof value === 'string' && !names[key]) names[key] = value;
      }
    }
  }
  return names;
}

/**
 * Stores the model provider's secrets where the functions read them on AWS: SecureStrings in the
 * (local) Parameter Store under the templates' names. So the functions take the cloud path locally
 * too: Powertools Parameters, GetParameter WithDecryption, checked against each function's role by
 * the IAM gate. The environment then holds only the names, never the secrets. Overwritten at every
 * start (a durable data folder keeps the previous values; the twin's secrets may change).
 */
export async function storeModelSecrets(
  ssm: SSMClient,
  names: Partial<Record<keyof ModelSecrets, string>>,
  secrets: Partial<ModelSecrets>,
): Promise<void> {
  for (const key of Object.keys(SECRET_NAME_VARIABLES) as Array<keyof ModelSecrets>) {
    const value = secrets[key];
    if (value === undefined) continue;
    const name = names[key];
    if (!name)
      throw new Error(`no packaged function names ${SECRET_NAME_VARIABLES[key]}: the templates changed`);
    await ssm.send(
      new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: true }),
    );
  }
}
