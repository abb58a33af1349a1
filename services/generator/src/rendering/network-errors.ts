import { ModelUnavailableError } from '../errors';
import { isNetworkError } from './replicate-client';

/**
 * Wraps a RenderScene task so that a network error reaching it from any call path (a raw
 * `TypeError: fetch failed` with a DNS, reset or timeout cause) leaves the task as
 * ModelUnavailableError, which the workflow's Retry backs off on, instead of a name no Retry
 * matches. The calls to Replicate classify their own errors; this is the net under all of them.
 */
export function networkErrorsAreTransient<A extends unknown[], R>(task: (...args: A) => Promise<R>) {
  return async (...args: A): Promise<R> => {
    try {
      return await task(...args);
    } catch (error) {
      if (!isNetworkError(error)) throw error;
      const cause = (error as { cause?: { code?: unknown } }).cause;
      throw new ModelUnavailableError(
        `network error: ${(error as Error).message}${cause?.code ? ` (${String(cause.code)})` : ''}`,
        { cause: error },
      );
    }
  };
}
