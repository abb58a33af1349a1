import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why S3 refuses a browser-based POST upload: the status and error code S3 answers with. */
export class PostPolicyViolationError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface PostUpload {
  bucket: string;
  /** Every form field except the file, by the name the client sent. */
  fields: Map<string, string>;
  fileBytes: number;
}

/**
 * The upload a browser form makes, read as S3 reads it: field names are case-insensitive (so `key` and
 * `Key` are one field, and a form giving both is ambiguous and refused), and there is exactly one file,
 * the part named `file` (any letter case). A form with no file or two is refused with S3's own error,
 * so a small second file can never vouch for a large first one. A file-valued part under another name is
 * just a field (its file name), which the policy must cover like any other.
 */
export function readPostForm(bucket: string, form: FormData): PostUpload {
  const fields = new Map<string, string>();
  const seen = new Set<string>();
  const files: number[] = [];
  for (const [name, value] of form.entries()) {
    const lower = name.toLowerCase();
    if (lower === 'file') {
      files.push(typeof value === 'string' ? Buffer.byteLength(value) : value.size);
      continue;
    }
    if (seen.has(lower))
      throw new PostPolicyViolationError(
        400,
        'InvalidArgument',
        `POST form field ${name} is given more than once`,
      );
    seen.add(lower);
    fields.set(name, typeof value === 'string' ? value : value.name);
  }
  if (files.length !== 1)
    throw new PostPolicyViolationError(
      400,
      'InvalidArgument',
      'POST requires exactly one file upload per request.',
    );
  return { bucket, fields, fileBytes: files[0] ?? 0 };
}

/** A multipart/form-data body (the media type in any letter case); a body that is not one is S3's 400. */
export async function parseForm(body: Buffer, contentType: string): Promise<FormData> {
  try {
    return await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new PostPolicyViolationError(
      400,
      'MalformedPOSTRequest',
      'The body of your POST request is not well-formed multipart/form-data.',
    );
  }
}

/** Fields S3 does not require a policy condition for. */
const EXEMPT = new Set(['x-amz-signature', 'file', 'policy', 'awsaccesskeyid', 'signature']);

/**
 * Enforces an S3 POST policy as S3 does (s3rver ignores it): a valid SigV4 signature over the policy with
 * the local secret, an expiration in the future, every condition met (exact matches, eq, starts-with,
 * content-length-range on the file), and every form field covered by a condition.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
 */
export function enforcePostPolicy(upload: PostUpload, secretAccessKey: string, now: Date = new Date()): void {
  const field = (name: string) => {
    for (const [k, v] of upload.fields) if (k.toLowerCase() === name.toLowerCase()) return v;
    return undefined;
  };
  const policyB64 = field('policy');
  const signature = field('x-amz-signature');
  const credential = field('x-amz-credential');
  if (!policyB64 || !signature || !credential) {
    throw new PostPolicyViolationError(
      403,
      'AccessDenied',
      'Bucket POST must contain a policy, x-amz-credential and x-amz-signature',
    );
  }
  const [, date, region, service] = credential.split('/');
  if (!date || !region || !service)
    throw new PostPolicyViolationError(403, 'AccessDenied', 'malformed x-amz-credential');
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = Buffer.from(createHmac('sha256', signingKey).update(policyB64).digest('hex'));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new PostPolicyViolationError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  let policy: { expiration?: string; conditions?: unknown[] };
  try {
    policy = JSON.parse(Buffer.from(policyB64, 'base64').toString('utf8'));
  } catch {
    throw new PostPolicyViolationError(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  }
  if (!policy.expiration || !(Date.parse(policy.expiration) > now.getTime())) {
    throw new PostPolicyViolationError(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
  }
  const covered = new Set<string>();
  const value = (name: string) => (name.toLowerCase() === 'bucket' ? upload.bucket : (field(name) ?? ''));
  const fail = (condition: unknown) => {
    throw new PostPolicyViolationError(
      403,
      'AccessDenied',
      `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`,
    );
  };
  for (const condition of policy.conditions ?? []) {
    if (Array.isArray(condition)) {
      const [op, a, b] = condition as [string, unknown, unknown];
      if (op === 'content-length-range') {
        if (upload.fileBytes < Number(a))
          throw new PostPolicyViolationError(
            400,
            'EntityTooSmall',
            'Your proposed upload is smaller than the minimum allowed size',
          );
        if (upload.fileBytes > Number(b))
          throw new PostPolicyViolationError(
            400,
            'EntityTooLarge',
            'Your proposed upload exceeds the maximum allowed size',
          );
        continue;
      }
      const name = String(a).replace(/^\$/, '');
      covered.add(name.toLowerCase());
      if (op === 'eq' && value(name) !== String(b)) fail(condition);
      else if (op === 'starts-with' && !value(name).startsWith(String(b))) fail(condition);
      else if (op !== 'eq' && op !== 'starts-with') fail(condition);
    } else if (condition && typeof condition === 'object') {
      for (const [name, expectedValue] of Object.entries(condition)) {
        covered.add(name.toLowerCase());
        if (value(name) !== String(expectedValue)) fail(condition);
      }
    }
  }
  for (const name of upload.fields.keys()) {
    const lower = name.toLowerCase();
    if (EXEMPT.has(lower) || lower.startsWith('x-ignore-') || covered.has(lower)) continue;
    throw new PostPolicyViolationError(
      403,
      'AccessDenied',
      `Invalid according to Policy: Extra input fields: ${name}`,
    );
  }
}
