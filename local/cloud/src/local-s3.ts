import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enforcePostPolicy, PostPolicyViolationError } from './s3-post-policy';
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

export interface LocalS3 {
  endpoint: string;
  close(): Promise<void>;
}

/** The secret s3rver accepts; POST policies are signed with it. */
const LOCAL_SECRET = 'S3RVER';
/** The largest browser upload the local S3 buffers to check its policy. */
const MAX_POST_BYTES = 512 * 1024 * 1024;

/**
 * S3 on s3rver, a real S3 REST server, with its data in a temporary folder removed on close. s3rver
 * ignores POST policies, so a thin proxy in front enforces them as S3 does (s3-post-policy.ts) before
 * passing a browser upload on; every other request goes straight through.
 */
export async function startLocalS3(): Promise<LocalS3> {
  allowS3rverContinuationTokens();
  const directory = mkdtempSync(join(tmpdir(), 'reelay-s3-'));
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
    forward(req, res, upstream).catch((error: Error) => {
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
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function forward(req: IncomingMessage, res: ServerResponse, upstream: { host: string; port: number }) {
  const path = new URL(req.url ?? '/', 'http://local').pathname;
  const isBrowserUpload =
    req.method === 'POST' &&
    /^\/[^/]+\/?$/.test(path) &&
    String(req.headers['content-type'] ?? '').startsWith('multipart/form-data');
  let body: Buffer | undefined;
  if (isBrowserUpload) {
    body = await readAll(req, MAX_POST_BYTES);
    const form = await new Response(body, {
      headers: { 'content-type': String(req.headers['content-type']) },
    }).formData();
    const fields = new Map<string, string>();
    let fileBytes = -1;
    for (const [name, value] of form.entries()) {
      if (typeof value === 'string') fields.set(name, value);
      else if (name === 'file') fileBytes = value.size;
    }
    try {
      enforcePostPolicy(
        { bucket: decodeURIComponent(path.split('/')[1] ?? ''), fields, fileBytes: Math.max(0, fileBytes) },
        LOCAL_SECRET,
      );
    } catch (error) {
      if (!(error instanceof PostPolicyViolationError)) throw error;
      res.writeHead(error.status, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error>`,
      );
      return;
    }
  }
  await new Promise<void>((resolve, reject) => {
    const out = request(
      { ...upstream, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
        upstreamRes.on('end', resolve);
        upstreamRes.on('error', reject);
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
