import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { problem } from './problem';

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: APIGatewayProxyResultV2 };

/** Bodies above this are refused before parsing (API Gateway itself caps payloads at 10 MB). */
export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpRequestParts {
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
}

export function header(req: HttpRequestParts, name: string): string | undefined {
  const headers = req.headers ?? {};
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** The JSON object a route expects: 413, 415 and 400 name what is wrong with the body. */
export function readJsonObject(
  req: HttpRequestParts,
  opts: { optional?: boolean } = {},
): Parsed<Record<string, unknown>> {
  const raw = req.body
    ? req.isBase64Encoded
      ? Buffer.from(req.body, 'base64').toString('utf8')
      : req.body
    : '';
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    return fail(413, 'Request body too large', `the body is limited to ${MAX_BODY_BYTES} bytes`);
  }
  if (raw.trim() === '') {
    if (opts.optional) return { ok: true, value: {} };
    return fail(400, 'Missing request body', 'send a JSON object as the request body');
  }
  const type = header(req, 'content-type');
  if (type !== undefined && !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type.trim())) {
    return fail(
      415,
      'Unsupported media type',
      `send the body as application/json, not ${type.slice(0, 100)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return fail(400, 'Malformed JSON', 'the request body is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return fail(400, 'Body is not a JSON object', 'send a JSON object as the request body');
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** Validates with a zod schema; every issue is named with its path. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, title: string): Parsed<z.output<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors = parsed.error.issues.map((i) => ({
    path: i.path.join('.') || '(body)',
    message: describeIssue(i),
  }));
  return {
    ok: false,
    response: problem({
      status: 400,
      title,
      detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors,
    }),
  };
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The optional Idempotency-Key header (printable ASCII, at most 255 characters). */
export function idempotencyKey(req: HttpRequestParts): Parsed<string | undefined> {
  const key = header(req, 'idempotency-key');
  if (key === undefined) return { ok: true, value: undefined };
  if (!IDEMPOTENCY_KEY.test(key)) {
    return fail(
      400,
      'Invalid Idempotency-Key',
      'an Idempotency-Key is 1 to 255 printable ASCII characters without spaces',
    );
  }
  return { ok: true, value: key };
}

function fail(
  status: number,
  title: string,
  detail: string,
): { ok: false; response: APIGatewayProxyResultV2 } {
  return { ok: false, response: problem({ status, title, detail }) };
}
