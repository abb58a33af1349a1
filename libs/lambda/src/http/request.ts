import type { z } from 'zod';
import { HttpProblemError } from './problem';

/** The request itself is unusable (size, media type, JSON, schema, headers): a 4xx naming what to fix. */
export class RequestRefusedError extends HttpProblemError {}

/** Bodies above this are refused before parsing (API Gateway itself caps payloads at 10 MB). */
export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpRequestParts {
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
}

export function header(req: HttpRequestParts, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(req.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** The raw body as text (API Gateway base64-encodes bodies it does not take for text). */
export function bodyText(req: HttpRequestParts): string {
  if (!req.body) return '';
  return req.isBase64Encoded ? Buffer.from(req.body, 'base64').toString('utf8') : req.body;
}

/** The JSON object a route expects; throws RequestRefusedError (413, 415, 400) naming what is wrong. */
export function readJsonObject(
  req: HttpRequestParts,
  opts: { optional?: boolean } = {},
): Record<string, unknown> {
  const raw = bodyText(req);
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    throw refused(413, 'Request body too large', `the body is limited to ${MAX_BODY_BYTES} bytes`);
  }
  if (raw.trim() === '') {
    if (opts.optional) return {};
    throw refused(400, 'Missing request body', 'send a JSON object as the request body');
  }
  const type = header(req, 'content-type');
  if (type !== undefined && !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type.trim())) {
    throw refused(
      415,
      'Unsupported media type',
      `send the body as application/json, not ${type.slice(0, 100)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw refused(400, 'Malformed JSON', 'the request body is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw refused(400, 'Body is not a JSON object', 'send a JSON object as the request body');
  }
  return value as Record<string, unknown>;
}

/** Validates with a zod schema; a 400 names every issue with its path. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, title: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((i) => ({
    path: i.path.join('.') || '(body)',
    message: describeIssue(i),
  }));
  throw new RequestRefusedError({
    status: 400,
    title,
    detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
    errors,
  });
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The optional Idempotency-Key header (printable ASCII, at most 255 characters). */
export function idempotencyKey(req: HttpRequestParts): string | undefined {
  const key = header(req, 'idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw refused(
      400,
      'Invalid Idempotency-Key',
      'an Idempotency-Key is 1 to 255 printable ASCII characters without spaces',
    );
  }
  return key;
}

function refused(status: number, title: string, detail: string): RequestRefusedError {
  return new RequestRefusedError({ status, title, detail });
}
