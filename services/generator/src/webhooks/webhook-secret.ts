import { readConfig, secretParameter } from '@reelay/lambda';
import { z } from 'zod';

const secretSchema = z.string().startsWith('whsec_');

/**
 * The Replicate webhook signing secret: from SSM in the cloud (a SecureString, never in the
 * environment), from the function environment locally, where the embedded cloud made it up.
 * Call it per request: SSM is read through Powertools Parameters (cached a few minutes), and a
 * failed read fails that request only; the next request reads again.
 */
export async function webhookSecret(env = process.env): Promise<string> {
  const config = readConfig(
    {
      REPLICATE_WEBHOOK_SECRET: secretSchema.optional(),
      REPLICATE_WEBHOOK_SECRET_PARAMETER: z.string().min(1).optional(),
    },
    env,
  );
  if (config.REPLICATE_WEBHOOK_SECRET) return config.REPLICATE_WEBHOOK_SECRET;
  const name = config.REPLICATE_WEBHOOK_SECRET_PARAMETER;
  if (!name) throw new Error('REPLICATE_WEBHOOK_SECRET or REPLICATE_WEBHOOK_SECRET_PARAMETER is required');
  return secretSchema.parse(await secretParameter(name)());
}
