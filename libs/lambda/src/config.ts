import { z } from 'zod';

export class ConfigurationError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** Reads and validates configuration once; fails at start with the names of what is missing or wrong. */
export function readConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigurationError(`invalid configuration: ${problems}`);
  }
  return result.data;
}
