import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResponse = APIGatewayProxyStructuredResultV2;

/** RFC 9457 problem details: every error a client gets says what is wrong in words a person can act on. */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  /** Names the occurrence: for a 500, the Lambda request id (`urn:reelay:request:<awsRequestId>`). */
  instance?: string;
  /** One entry per invalid field, for a 400/422 about the body. */
  errors?: Array<{ path: string; message: string }>;
}

export function problem(p: Problem, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode: p.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify({ type: 'about:blank', ...p }),
  };
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * A refusal the client can act on (4xx), or a 503 it can retry: thrown anywhere below a route, it
 * becomes this problem+json answer in the one error handler (http-handler.ts). Subclass it with a
 * domain name (`JobNotFoundError`) rather than throwing it bare from domain code.
 */
export class HttpProblemError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly headers: Record<string, string>;
  readonly errors?: Array<{ path: string; message: string }>;
  /** A 503 is worth retrying as is; a 4xx is not until the request changes. */
  readonly retryable: boolean;

  constructor(
    problem: Omit<Problem, 'instance'>,
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`, { cause: options.cause });
    this.name = new.target.name;
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.headers = options.headers ?? {};
    if (problem.errors) this.errors = problem.errors;
    this.retryable = problem.status === 503;
  }

  /** The answer the client gets. */
  toResponse(): HttpResponse {
    return problem(
      {
        status: this.status,
        title: this.title,
        detail: this.detail,
        ...(this.errors ? { errors: this.errors } : {}),
      },
      this.headers,
    );
  }
}
