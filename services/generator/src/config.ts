import { readConfig } from '@reelay/lambda';
import { z } from 'zod';

/** Settings of the generator; read once per cold start. */
export const modelSettings = () =>
  readConfig({
    /** Locally (and in tests) the token itself; in the cloud the SSM name below is used instead. */
    REPLICATE_API_TOKEN: z.string().min(1).optional(),
    REPLICATE_API_TOKEN_PARAMETER: z.string().min(1).optional(),
    REPLICATE_BASE_URL: z.url().optional(),
    /** Exact origins model outputs may come from (the local model server's, locally). */
    MODEL_OUTPUT_ALLOWED_ORIGINS: z.string().default(''),
    /** https domains model outputs may come from, each with its subdomains (*.replicate.delivery). */
    MODEL_OUTPUT_ALLOWED_HOSTS: z.string().default('replicate.delivery'),
    MODEL_OUTPUT_MAX_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(500 * 1024 * 1024),
    POLL_INTERVAL_SEC: z.coerce.number().int().min(1).default(2),
  });

export const modelSetFromEnv = (env = process.env) =>
  (env.REPLICATE_BASE_URL ? 'local' : 'replicate') as 'local' | 'replicate';
