import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readConfig } from '@reelay/lambda';
import { z } from 'zod';

/**
 * The Replicate webhook signing secret: from SSM in the cloud (a SecureString, never in the
 * environment), from the function environment locally, where the embedded cloud made it up.
 */
export async function webhookSecret(env = process.env): Promise<string> {
  const config = readConfig(
    {
      REPLICATE_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),
      REPLICATE_WEBHOOK_SECRET_PARAMETER: z.string().min(1).optional(),
    },
    env,
  );
  if (config.REPLICATE_WEBHOOK_SECRET) return config.REPLICATE_WEBHOOK_SECRET;
  if (!config.REPLICATE_WEBHOOK_SECRET_PARAMETER)
    throw new Error('REPLICATE_WEBHOOK_SECRET or REPLICATE_WEBHOOK_SECRET_PARAMETER is required');
  const { Parameter } = await new SSMClient({}).send(
    new GetParameterCommand({ Name: config.REPLICATE_WEBHOOK_SECRET_PARAMETER, WithDecryption: true }),
  );
  return z.string().startsWith('whsec_').parse(Parameter?.Value);
}
