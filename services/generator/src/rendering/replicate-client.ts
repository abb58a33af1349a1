import Replicate from 'replicate';
import { ModelRateLimitedError, ModelUnavailableError } from '../errors';

export interface PredictionView {
  id: string;
  status: 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';
  output?: unknown;
  error?: unknown;
  metrics?: { predict_time?: number };
}

export function createReplicate(token: string, baseUrl?: string): Replicate {
  // The client's own 429 back-off ignores Retry-After; RenderScene's Wait does the waiting instead.
  return new Replicate({ auth: token, ...(baseUrl ? { baseUrl } : {}), useFileOutput: false });
}

/** Turns the client's HTTP errors into the workflow's retryable error names. */
export function classifyReplicateError(error: unknown): Error {
  const response = (error as { response?: Response }).response;
  const status = response?.status;
  if (status === 429) {
    const retryAfter = Number(response?.headers.get('retry-after') ?? 5);
    return new ModelRateLimitedError(`model provider rate limited; retry after ${retryAfter}s`);
  }
  if (status === undefined || status >= 500) {
    return new ModelUnavailableError(`model provider unavailable: ${(error as Error).message}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
