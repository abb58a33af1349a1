import { HttpProblemError, type HttpResponse } from '@reelay/lambda';

/**
 * What a client gets for a domain call made without its handler: its response, or the problem+json a
 * known refusal becomes (as libs/lambda's error handler answers it). Anything else still throws.
 */
export async function answerOf(act: Promise<HttpResponse>): Promise<HttpResponse> {
  try {
    return await act;
  } catch (error) {
    if (error instanceof HttpProblemError) return error.toResponse();
    throw error;
  }
}
