/**
 * Whether trying again cannot help: an error that says so (`retryable === false`, as every Reelay
 * error class declares), or a zod validation error (the data will not become valid by retrying).
 * Anything else, unknown errors included, is treated as transient.
 */
export function isPermanent(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  if ((error as { retryable?: unknown }).retryable === false) return true;
  // zod 4's ZodError (and its core $ZodError); by name, so any copy of zod in a bundle is recognised.
  return error.name === 'ZodError' || error.name === '$ZodError';
}

/** SCREAMING_SNAKE_CASE: the error's own code, else its class name (MediaRejectedError -> MEDIA_REJECTED). */
export function errorCode(error: Error, fallback: string): string {
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(own)) return own;
  const fromName = error.name
    .replace(/^\$/, '')
    .replace(/Error$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_');
  return /^[A-Z][A-Z0-9_]{1,63}$/.test(fromName) ? fromName : fallback;
}
