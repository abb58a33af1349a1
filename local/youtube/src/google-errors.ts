import type { ServerResponse } from 'node:http';

/**
 * An error the twin answers in Google's JSON error format, as the YouTube Data API does:
 * `{ "error": { "code", "message", "errors": [{ "message", "domain", "reason" }], "status" } }`.
 * Clients (googleapis-common, our publisher) read `errors[0].reason` to tell a quota from a bad title.
 */
export class GoogleApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly domain = 'youtube.video',
    readonly extraHeaders: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GoogleApiError';
  }

  body(): unknown {
    return {
      error: {
        code: this.code,
        message: this.message,
        errors: [{ message: this.message, domain: this.domain, reason: this.reason }],
        status: GOOGLE_STATUS[this.code] ?? 'UNKNOWN',
      },
    };
  }
}

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export const quotaExceeded = () =>
  new GoogleApiError(
    403,
    'quotaExceeded',
    'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
    'youtube.quota',
  );

export const rateLimitExceeded = () =>
  new GoogleApiError(
    403,
    'rateLimitExceeded',
    'Too many requests have been sent within a given time span.',
    'usageLimits',
  );

export const backendError = () => new GoogleApiError(503, 'backendError', 'Backend Error', 'global');

export const badRequest = (reason: string, message: string, domain = 'youtube.video') =>
  new GoogleApiError(400, reason, message, domain);

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

export function sendGoogleError(response: ServerResponse, error: GoogleApiError): void {
  sendJson(response, error.code, error.body(), error.extraHeaders);
}
