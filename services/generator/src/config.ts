import { readConfig } from '@reelay/lambda';
import { z } from 'zod';

/** Settings of the generator; read once per cold start. */
export const modelSettings = () =>
  readConfig({
    /** Locally (and in tests) the token itself; in the cloud the SSM name below is used instead. */
    REPLICATE_API_TOKEN: z.string().min(1).optional(),
    REPLICATE_API_TOKEN_PARAMETER: z.string().min(1).optional(),
    /**
     * Where the replicate client sends its requests (default https://api.replicate.com/v1), in
     * every mode and with or without a real token: a proxy, a recorded twin, the local model server.
     * It no longer decides which models are used: there is one set of model ids.
     */
    REPLICATE_BASE_URL: z.url().optional(),
    /**
     * `local` when the models are the embedded cloud's model server (the twin of Replicate): scenes
     * say provider `local` and their costs are what Replicate would charge (an estimate).
     */
    MODEL_PROVIDER: z.enum(['replicate', 'local']).default('replicate'),
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
    /** The wait between checks grows with a prediction's age up to this (rendering/poll-delay.ts). */
    POLL_MAX_INTERVAL_SEC: z.coerce.number().int().min(1).default(30),
  });
