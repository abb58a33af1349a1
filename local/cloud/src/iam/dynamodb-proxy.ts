import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessRefusal, type IamGate } from './iam-gate';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface DynamoDbProxy {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * DynamoDB Local accepts any credentials: this proxy in front of it verifies each request's
 * signature and its role's permission for the operation (IamGate), then passes it on unchanged
 * (DynamoDB Local runs with -sharedDb, so the access key does not pick a database). A refusal is
 * DynamoDB's own JSON error (com.amazon.coral.service#AccessDeniedException, ...).
 */
export async function startDynamoDbProxy(
  /**
   * DynamoDB Local's endpoint, or its start: the proxy listens (and its endpoint can be handed out)
   * while the JVM is still starting; requests wait for it.
   */
  upstream: string | Promise<string>,
  gate: IamGate,
): Promise<DynamoDbProxy> {
  const target = Promise.resolve(upstream).then((endpoint) => new URL(endpoint));
  target.catch(() => undefined); // each request reports it; the cloud's start fails on it too
  const server = createServer((req, res) => {
    handle(req, res, target, gate).catch((error: Error) => {
      if (!res.headersSent)
        sendError(res, 500, 'InternalServerError', `local dynamodb proxy: ${error.message}`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => closeServer(server),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: Promise<URL>,
  gate: IamGate,
): Promise<void> {
  const body = await readAll(req);
  const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  let parsed: Record<string, unknown> = {};
  try {
    parsed = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
  } catch {
    // DynamoDB Local answers a malformed body itself (SerializationException); the signature is still checked.
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  try {
    await gate.checkJson(
      'dynamodb',
      operation,
      {
        method: req.method ?? 'POST',
        rawPath: q < 0 ? url : url.slice(0, q),
        rawQuery: q < 0 ? '' : url.slice(q + 1),
        headers: req.headers,
        body,
      },
      parsed && typeof parsed === 'object' ? parsed : {},
    );
  } catch (error) {
    if (!(error instanceof AccessRefusal)) throw error;
    sendError(res, error.status, error.code, error.message);
    return;
  }
  const target = await upstream;
  await new Promise<void>((resolve, reject) => {
    const out = request(
      { host: target.hostname, port: target.port, method: req.method, path: url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
        upstreamRes.on('end', resolve);
        upstreamRes.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  const payload = Buffer.from(JSON.stringify({ __type: `com.amazon.coral.service#${code}`, message }));
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': payload.length,
    'x-amzn-requestid': `local-${Date.now().toString(36)}`,
  });
  res.end(payload);
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new Error('request body larger than 16 MB'));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
