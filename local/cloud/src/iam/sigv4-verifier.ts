import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { getSigningKey, SignatureV4Base } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import type { AccessKeyRegistry, KeyHolder } from './access-keys';

/**
 * Why a request's signature is refused. Each service turns the reason into its own error code
 * (S3: SignatureDoesNotMatch/InvalidAccessKeyId/AccessDenied XML; JSON services:
 * InvalidSignatureException/UnrecognizedClientException/MissingAuthenticationTokenException).
 */
export type SignatureFailure =
  | 'missing' // no Authorization header and no presigned query
  | 'malformed' // an Authorization/credential the service cannot parse, or a wrong scope
  | 'unknown-key' // an access key the cloud never issued
  | 'bad-token' // a temporary key without its session token, or with another one
  | 'mismatch' // the signature is not the one the secret gives
  | 'skewed' // x-amz-date more than 15 minutes from now
  | 'expired'; // a presigned URL past X-Amz-Expires

export class SignatureError extends Error {
  constructor(
    readonly reason: SignatureFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface SignedRequest {
  method: string;
  /** The path as sent on the wire (still percent-encoded). */
  rawPath: string;
  /** The query string as sent, without '?'. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  /** The body, for services that sign its hash without sending it in x-amz-content-sha256. */
  body?: Buffer;
}

export interface VerifyOptions {
  /** The signing name the scope must carry: s3, dynamodb, sqs, events, states. */
  service: string;
  region: string;
  keys: AccessKeyRegistry;
  now?: Date;
}

export interface Verified {
  holder: KeyHolder;
  presigned: boolean;
}

const SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/**
 * Verifies an AWS Signature Version 4 (Authorization header or presigned query) exactly: the
 * canonical request is rebuilt from the headers the client says it signed, with the secret the
 * cloud issued for the access key, by the same @smithy/signature-v4 code the SDK signs with, and
 * the signatures compared in constant time.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export async function verifySignature(request: SignedRequest, options: VerifyOptions): Promise<Verified> {
  const query = parseQuery(request.rawQuery);
  const authorization = header(request.headers, 'authorization');
  const presigned = query['X-Amz-Algorithm'] !== undefined;
  if (authorization !== undefined && presigned)
    throw new SignatureError('malformed', 'Only one auth mechanism allowed');
  if (authorization === undefined && !presigned)
    throw new SignatureError('missing', 'Request is missing Authentication Token');
  const now = options.now ?? new Date();

  let credential: string;
  let signedHeaderList: string;
  let provided: string;
  let longDate: string;
  let token: string | undefined;
  if (presigned) {
    if (query['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256')
      throw new SignatureError('malformed', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    credential = one(query, 'X-Amz-Credential');
    signedHeaderList = one(query, 'X-Amz-SignedHeaders');
    provided = one(query, 'X-Amz-Signature');
    longDate = one(query, 'X-Amz-Date');
    token = query['X-Amz-Security-Token'] as string | undefined;
    const expires = Number(one(query, 'X-Amz-Expires'));
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_SECONDS)
      throw new SignatureError('malformed', 'X-Amz-Expires must be between 1 and 604800 seconds');
    if (now.getTime() > parseLongDate(longDate) + expires * 1000)
      throw new SignatureError('expired', 'Request has expired');
  } else {
    const match = /^AWS4-HMAC-SHA256 (.+)$/.exec(authorization ?? '');
    if (!match) throw new SignatureError('malformed', 'Authorization header requires AWS4-HMAC-SHA256');
    const parts = new Map(
      (match[1] ?? '').split(/,\s*/).map((p) => {
        const eq = p.indexOf('=');
        return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()] as const;
      }),
    );
    credential = parts.get('Credential') ?? '';
    signedHeaderList = parts.get('SignedHeaders') ?? '';
    provided = parts.get('Signature') ?? '';
    if (!credential || !signedHeaderList || !provided)
      throw new SignatureError(
        'malformed',
        'Authorization header requires Credential, SignedHeaders and Signature',
      );
    longDate = header(request.headers, 'x-amz-date') ?? '';
    token = header(request.headers, 'x-amz-security-token');
    if (Math.abs(now.getTime() - parseLongDate(longDate)) > SKEW_MS)
      throw new SignatureError(
        'skewed',
        'Signature expired: the request time is too far from the server time',
      );
  }

  const [accessKeyId = '', shortDate, region, service, terminator, ...rest] = credential.split('/');
  if (rest.length > 0 || terminator !== 'aws4_request' || !shortDate)
    throw new SignatureError('malformed', `Malformed credential ${credential}`);
  if (!longDate.startsWith(shortDate))
    throw new SignatureError('malformed', 'The credential date does not match the request date');
  if (region !== options.region)
    throw new SignatureError('malformed', `Credential should be scoped to a valid region, not '${region}'`);
  if (service !== options.service)
    throw new SignatureError(
      'malformed',
      `Credential should be scoped to correct service: '${options.service}'`,
    );
  const holder = options.keys.lookup(accessKeyId);
  if (!holder)
    throw new SignatureError('unknown-key', 'The security token included in the request is invalid');
  if (holder.credentials.sessionToken !== token)
    throw new SignatureError('bad-token', 'The security token included in the request is invalid');

  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host'))
    throw new SignatureError('malformed', 'The host header must be signed');
  const canonicalHeaders: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = header(request.headers, name);
    if (value === undefined) throw new SignatureError('mismatch', `Signed header ${name} is missing`);
    canonicalHeaders[name] = value.trim().replace(/\s+/g, ' ');
  }
  // A presigned URL signs no payload (S3 puts UNSIGNED-PAYLOAD in its canonical request).
  const payloadHash = presigned
    ? ((query['X-Amz-Content-Sha256'] as string | undefined) ?? UNSIGNED_PAYLOAD)
    : (header(request.headers, 'x-amz-content-sha256') ?? sha256Hex(request.body ?? Buffer.alloc(0)));

  const signer = new VerifyingSigner(options.service, region, holder.credentials);
  const canonicalQuery = { ...query };
  delete canonicalQuery['X-Amz-Signature'];
  const expected = await signer.signatureFor(
    {
      method: request.method,
      protocol: 'http:',
      hostname: '',
      path: request.rawPath,
      query: canonicalQuery,
      headers: {},
    },
    canonicalHeaders,
    payloadHash,
    longDate,
    `${shortDate}/${region}/${service}/aws4_request`,
  );
  const a = Buffer.from(expected);
  const b = Buffer.from(provided);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw new SignatureError(
      'mismatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  return { holder, presigned };
}

/**
 * Smithy's canonical request and string to sign (the SDK's own code), with the canonical headers
 * given (those the client listed), not derived from the request.
 */
class VerifyingSigner extends SignatureV4Base {
  constructor(
    service: string,
    region: string,
    private readonly creds: { accessKeyId: string; secretAccessKey: string },
  ) {
    // S3 is the one service whose path is not normalised and encoded again.
    super({ service, region, credentials: creds, sha256: NodeSha256, uriEscapePath: service !== 's3' });
  }

  async signatureFor(
    request: HttpRequest,
    canonicalHeaders: Record<string, string>,
    payloadHash: string,
    longDate: string,
    scope: string,
  ): Promise<string> {
    const [shortDate, region, service] = scope.split('/') as [string, string, string];
    const key = await getSigningKey(NodeSha256, this.creds, shortDate, region, service);
    const stringToSign = await this.createStringToSign(
      longDate,
      scope,
      this.createCanonicalRequest(request, canonicalHeaders, payloadHash),
      'AWS4-HMAC-SHA256',
    );
    return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  }
}

/** The SHA-256 / HMAC-SHA-256 constructor smithy wants, on node:crypto. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | Uint8Array): void {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

function toBuffer(value: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return Buffer.from(value);
}

export function sha256Hex(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The query as the signer sees it: names and values percent-decoded ('+' is a literal plus). */
export function parseQuery(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    const prior = out[name];
    out[name] = prior === undefined ? value : ([] as string[]).concat(prior, value);
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new SignatureError('malformed', 'The query string is not valid percent-encoding');
  }
}

function one(query: Record<string, string | string[]>, name: string): string {
  const v = query[name];
  if (typeof v !== 'string' || v === '')
    throw new SignatureError('malformed', `Query parameter ${name} is required`);
  return v;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function parseLongDate(longDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(longDate);
  if (!m)
    throw new SignatureError('malformed', 'X-Amz-Date must be in ISO 8601 basic format (yyyyMMddTHHmmssZ)');
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, se);
}
