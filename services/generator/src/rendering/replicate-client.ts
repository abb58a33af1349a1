import Replicate from 'replicate';
import { z } from 'zod';
import { ModelRateLimitedError, ModelUnavailableError } from '../errors';
import { fetchWithToken } from './replicate-token';

/** A prediction as Replicate returns it (API answers and webhook bodies), parsed at the edge. */
export const predictionViewSchema = z.looseObject({
  id: z.string().min(1).max(128),
  // `aborted`: the prediction passed its deadline before it started running (it never ran).
  status: z.enum(['starting', 'processing', 'succeeded', 'failed', 'canceled', 'aborted']),
  model: z.string().optional(),
  output: z.unknown().optional(),
  error: z.unknown().optional(),
  webhook: z.string().nullish(),
  created_at: z.string().nullish(),
  input: z.record(z.string(), z.unknown()).nullish(),
  metrics: z
    .looseObject({
      predict_time: z.number().optional(),
      // Official LLMs report their token counts (billed per token).
      input_token_count: z.number().optional(),
      output_token_count: z.number().optional(),
    })
    .nullish(),
});
export type PredictionView = z.infer<typeof predictionViewSchema>;

export const TERMINAL = ['succeeded', 'failed', 'canceled', 'aborted'] as const;
export const isTerminal = (status: string): status is (typeof TERMINAL)[number] =>
  (TERMINAL as readonly string[]).includes(status);

/**
 * The client retries 429s (and 5xx on GET) itself, in a loop that ignores Retry-After and cannot be
 * switched off, while the Lambda waits. RenderScene owns the waiting instead (its Wait state honours
 * Retry-After, its Retry backs off): this fetch replays the first failed answer of a request to the
 * client's retries, so each client call reaches the network once and fails fast with that answer.
 */
export function fetchWithoutClientRetries(base?: typeof fetch): typeof fetch {
  const failed = new WeakMap<object, Response>();
  return async (input, init) => {
    const seen = init ? failed.get(init) : undefined;
    if (seen) return seen.clone();
    // globalThis.fetch at call time, so whatever instruments fetch (tracing, the local chaos) sees it.
    const response = await (base ?? globalThis.fetch)(input, init);
    if (!response.ok && init && (response.status === 429 || response.status >= 500)) {
      failed.set(init, response.clone());
    }
    return response;
  };
}

export function createReplicate(
  token: string | (() => Promise<string>),
  baseUrl?: string,
  fetchImpl?: typeof fetch,
): Replicate {
  // A token read from SSM is only known after the first await: the client gets a placeholder and
  // every request carries the real token. The token is set inside the retry guard, which must see
  // the client's own request object to recognise its retries.
  const network: typeof fetch = (input, init) => (fetchImpl ?? globalThis.fetch)(input, init);
  return new Replicate({
    auth: typeof token === 'string' ? token : 'resolved-per-request',
    ...(baseUrl ? { baseUrl } : {}),
    useFileOutput: false,
    fetch: fetchWithoutClientRetries(typeof token === 'string' ? fetchImpl : fetchWithToken(token, network)),
  });
}

/** Retry-After in whole seconds (a number or an HTTP date), clamped to [1, 600]. */
export function retryAfterSec(header: string | null | undefined, now = Date.now()): number {
  if (!header) return 5;
  const seconds = Number(header);
  const raw = Number.isFinite(seconds) ? seconds : (Date.parse(header) - now) / 1000;
  return Math.min(600, Math.max(1, Math.ceil(Number.isFinite(raw) ? raw : 5)));
}

/**
 * How long a 429 asks us to wait: Retry-After when the answer has it, else the wait Replicate writes
 * in the body only ("Your rate limit resets in ~30s"), else 5 s. The client puts the body it read
 * into the error's message, so the message is where the body's wait is found.
 */
export function rateLimitWaitSec(error: unknown, now = Date.now()): number {
  const header = (error as { response?: Response }).response?.headers.get('retry-after');
  if (header) return retryAfterSec(header, now);
  const inBody = /resets in\s*~?\s*(\d+(?:\.\d+)?)\s*s/i.exec(String((error as Error)?.message ?? ''));
  return inBody ? retryAfterSec(inBody[1]) : retryAfterSec(undefined);
}

/** Seconds to wait after a 429: Retry-After plus up to 50% jitter, so throttled scenes do not return together. */
export function throttledWaitSec(retryAfter: number, random: () => number = Math.random): number {
  return retryAfter + Math.floor(random() * Math.max(1, retryAfter / 2 + 1));
}

/** The HTTP status of a failed client call, if the provider answered at all. */
export function providerStatus(error: unknown): number | undefined {
  return (error as { response?: Response }).response?.status;
}

/** Turns the client's HTTP errors into the workflow's retryable error names. */
export function classifyReplicateError(error: unknown): Error {
  const response = (error as { response?: Response }).response;
  const status = response?.status;
  if (status === 429) {
    const after = rateLimitWaitSec(error);
    return new ModelRateLimitedError(`model provider rate limited; retry after ${after}s`, {
      cause: error,
    });
  }
  if (status === undefined || status >= 500) {
    return new ModelUnavailableError(`model provider unavailable: ${networkReason(error)}`, {
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * A failed call that never got an HTTP answer: undici's `TypeError: fetch failed` with the system
 * error as its `cause` (ENOTFOUND, ECONNRESET, ETIMEDOUT, UND_ERR_*), or an abort/timeout.
 * These are transient: RenderScene retries them with back-off like a 5xx.
 */
export function isNetworkError(error: unknown): boolean {
  // By name, not instanceof: undici's errors come from Node's own realm (not the caller's).
  if (typeof error !== 'object' || error === null || 'response' in error) return false;
  const { name, message, cause } = error as { name?: unknown; message?: unknown; cause?: { code?: unknown } };
  if (name === 'AbortError' || name === 'TimeoutError') return true;
  return name === 'TypeError' && (message === 'fetch failed' || typeof cause?.code === 'string');
}

/** "fetch failed (ENOTFOUND api.replicate.com)" rather than the bare "fetch failed". */
function networkReason(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = cause ? String(cause.code ?? cause.message ?? '') : '';
  return detail ? `${message} (${detail})` : message;
}
