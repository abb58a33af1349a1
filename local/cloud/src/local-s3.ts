import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { throwawayDataFolder } from './data-folder';
import { AccessRefusal, type IamGate } from './iam/iam-gate';
import { deleteObjectsKeys } from './iam/s3-actions';
import {
  enforcePostPolicy,
  PostPolicyViolationError,
  type PostUpload,
  parseForm,
  readPostForm,
} from './s3-post-policy';
import { makeS3rverWritesAtomic, type S3rverStore } from './s3rver-atomic-writes';
import { allowS3rverContinuationTokens } from './s3rver-des';

// s3rver has no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (
  options: Record<string, unknown>,
) => {
  store: S3rverStore;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
};

// s3rver's account registry: it refuses access keys it does not know (it checks no V4 signature).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rverAccounts = require('s3rver/lib/models/account') as {
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
};

export interface LocalS3Options {
  /**
   * Signature and IAM enforcement (the embedded cloud's): every request is verified and authorised
   * before s3rver sees it, and a missing key is a 404 only for callers that may list the bucket.
   * Without it, s3rver's own leniency applies (tests of the S3 behaviour alone).
   */
  gate?: IamGate;
  /**
   * s3rver's folder (the buckets and objects), kept after close: the embedded cloud's data folder.
   * Without it, a throwaway folder under .reelay/ that close() removes.
   */
  directory?: string;
}

export interface LocalS3 {
  endpoint: string;
  close(): Promise<void>;
}

/** The secret s3rver accepts; POST policies are signed with it. */
const LOCAL_SECRET = 'S3RVER';
/** The largest browser upload the local S3 buffers to check its policy. */
const MAX_POST_BYTES = 512 * 1024 * 1024;

/**
 * S3 on s3rver, a real S3 REST server, with its data in the given folder (else a throwaway one). s3rver
 * ignores POST policies, so a thin proxy in front enforces them as S3 does (s3-post-policy.ts) before
 * passing a browser upload on; every other request goes straight through.
 */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  allowS3rverContinuationTokens();
  const throwaway = options.directory ? undefined : throwawayDataFolder('s3');
  const directory = options.directory ?? throwaway?.s3;
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    vhostBuckets: false,
    allowMismatchedSignatures: true,
  });
  makeS3rverWritesAtomic(server.store);
  const address = await server.run();
  const upstream = { host: '127.0.0.1', port: address.port };
  const proxy = createServer((req, res) => {
    forward(req, res, upstream, options.gate).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`local s3 proxy: ${error.message}`);
    });
  });
  // Longer than any client's idle keep-alive (the AWS SDK's agent never drops an idle socket): a
  // socket closed just as a client reuses it is ECONNRESET, fatal to a streamed (unretryable) upload.
  proxy.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    async close() {
      await closeServer(proxy);
      await server.close();
      throwaway?.release();
    },
  };
}

async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: { host: string; port: number },
  gate: IamGate | undefined,
) {
  try {
    await forwardChecked(req, res, upstream, gate);
  } catch (error) {
    if (!(error instanceof AccessRefusal)) throw error;
    req.resume();
    sendS3Error(res, req.method === 'HEAD', error.status, error.code, error.message);
  }
}

async function forwardChecked(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: { host: string; port: number },
  gate: IamGate | undefined,
) {
  const url = req.url ?? '/';
  const path = new URL(url, 'http://local').pathname;
  const isBrowserUpload =
    req.method === 'POST' &&
    /^\/[^/]+\/?$/.test(path) &&
    // Media types are case-insensitive (RFC 9110): "Multipart/Form-Data" is a browser upload too.
    String(req.headers['content-type'] ?? '')
      .toLowerCase()
      .startsWith('multipart/form-data');
  let body: Buffer | undefined;
  if (isBrowserUpload) {
    body = await readAll(req, MAX_POST_BYTES);
    const bucket = decodeURIComponent(path.split('/')[1] ?? '');
    let upload: PostUpload;
    try {
      // One file part, field names case-insensitive, as S3 reads a form (s3-post-policy.ts).
      upload = readPostForm(bucket, await parseForm(body, String(req.headers['content-type'])));
    } catch (error) {
      if (!(error instanceof PostPolicyViolationError)) throw error;
      sendS3Error(res, false, error.status, error.code, error.message);
      return;
    }
    const { fields } = upload;
    const field = (name: string) => [...fields].find(([k]) => k.toLowerCase() === name)?.[1];
    // With enforcement, the policy must be signed with a key the cloud issued, and its signer's role
    // must allow s3:PutObject on the key (as S3 authorises a POST upload as its signer).
    const uploader = gate?.postUploader(
      (field('x-amz-credential') ?? '').split('/')[0] ?? '',
      field('x-amz-security-token'),
    );
    try {
      enforcePostPolicy(upload, uploader?.credentials.secretAccessKey ?? LOCAL_SECRET);
    } catch (error) {
      if (!(error instanceof PostPolicyViolationError)) throw error;
      sendS3Error(res, false, error.status, error.code, error.message);
      return;
    }
    if (gate && uploader) {
      await gate.checkPostUpload(uploader, bucket, field('key') ?? '');
      registerWithS3rver(uploader.credentials);
    }
  } else if (gate && req.method !== 'OPTIONS') {
    // CORS preflights are unauthenticated in S3 too; everything else is signed and authorised.
    const q = url.indexOf('?');
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    if (req.method === 'POST' && /(^|&)delete(=|&|$)/.test(rawQuery)) {
      body = await readAll(req, MAX_POST_BYTES);
    }
    const { holder, operation } = await gate.checkS3({
      method: req.method ?? 'GET',
      rawPath: q < 0 ? url : url.slice(0, q),
      rawQuery,
      headers: req.headers,
      ...(body ? { deleteKeys: deleteObjectsKeys(body.toString('utf8')) } : {}),
    });
    registerWithS3rver(holder.credentials);
    if (operation.isObjectRead && operation.bucket) {
      const bucket = operation.bucket;
      await pipeUpstream(req, res, upstream, body, async (status) =>
        // S3 tells a caller a key is missing (404) only if it may list the bucket; else 403.
        status === 404 && !(await gate.mayListBucket(holder.principal, bucket))
          ? new AccessRefusal(403, 'AccessDenied', 'Access Denied')
          : undefined,
      );
      return;
    }
  }
  await pipeUpstream(req, res, upstream, body);
}

const registered = new Set<string>();
function registerWithS3rver(credentials: { accessKeyId: string; secretAccessKey: string }): void {
  if (registered.has(credentials.accessKeyId)) return;
  S3rverAccounts.DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  registered.add(credentials.accessKeyId);
}

function sendS3Error(
  res: ServerResponse,
  head: boolean,
  status: number,
  code: string,
  message: string,
): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>local</RequestId></Error>`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    ...(head ? {} : { 'content-length': Buffer.byteLength(xml) }),
  });
  res.end(head ? undefined : xml);
}

/** Passes the request to s3rver; `replace` may swap its answer for an error (the body is then dropped). */
async function pipeUpstream(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: { host: string; port: number },
  body: Buffer | undefined,
  replace?: (status: number) => Promise<AccessRefusal | undefined>,
) {
  await new Promise<void>((resolve, reject) => {
    const out = request(
      { ...upstream, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        const answer = async () => {
          const refusal = replace ? await replace(upstreamRes.statusCode ?? 502) : undefined;
          if (refusal) {
            upstreamRes.resume();
            sendS3Error(res, req.method === 'HEAD', refusal.status, refusal.code, refusal.message);
            upstreamRes.on('end', resolve);
            return;
          }
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
          upstreamRes.on('end', resolve);
        };
        upstreamRes.on('error', reject);
        answer().catch(reject);
      },
    );
    out.on('error', reject);
    if (body) out.end(body);
    else req.pipe(out);
  });
}

function readAll(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.destroy();
        reject(new Error(`upload larger than ${limit} bytes`));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
