import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asRecord } from '../shared/request-fields';
import type { JsonService } from './json-service';
import { AwsServiceError, UnknownOperationError, ValidationError } from './service-error';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Checks a request before its operation runs (the embedded cloud's SigV4 + IAM enforcement); throws
 * an AwsServiceError to refuse it. The emulator itself trusts every caller when none is given.
 */
export type JsonRequestGate = (request: {
  targetPrefix: string;
  operation: string;
  method: string;
  /** Path and query as sent (percent-encoded). */
  rawPath: string;
  rawQuery: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  parsed: Record<string, unknown>;
}) => Promise<void>;

export interface RunningJsonServer {
  url: string;
  close(): Promise<void>;
}

/** Serves several AWS JSON-protocol services on one 127.0.0.1 port, dispatching on X-Amz-Target. */
export async function startJsonServer(
  services: readonly JsonService[],
  port = 0,
  gate?: JsonRequestGate,
): Promise<RunningJsonServer> {
  const byPrefix = new Map(services.map((service) => [service.targetPrefix, service]));
  const server = createServer((request, response) => {
    void handleRequest(byPrefix, request, response, gate);
  });
  // Keep idle sockets longer than a poller stays away (an invocation on a busy machine can take
  // seconds): a server closing a socket just as a client reuses it is an ECONNRESET for the client.
  // close() still ends every connection (closeAllConnections).
  server.keepAliveTimeout = 60_000;
  await listen(server, port);
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => closeServer(server),
  };
}

async function handleRequest(
  byPrefix: ReadonlyMap<string, JsonService>,
  request: IncomingMessage,
  response: ServerResponse,
  gate: JsonRequestGate | undefined,
): Promise<void> {
  const requestId = randomUUID();
  const target = headerValue(request, 'x-amz-target') ?? '';
  const [prefix = '', operation = ''] = target.split('.');
  const service = byPrefix.get(prefix);
  const abort = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) abort.abort();
  });
  if (!service) {
    drain(request);
    sendJson(response, 400, requestId, '1.0', {
      __type: 'UnknownOperationException',
      message: `Unknown X-Amz-Target "${target}"`,
    });
    return;
  }
  try {
    const raw = await readBody(request);
    const body = raw.length === 0 ? {} : asRecord(parseJson(raw));
    if (gate) {
      const url = request.url ?? '/';
      const q = url.indexOf('?');
      await gate({
        targetPrefix: prefix,
        operation,
        method: request.method ?? 'POST',
        rawPath: q < 0 ? url : url.slice(0, q),
        rawQuery: q < 0 ? '' : url.slice(q + 1),
        headers: request.headers,
        body: raw,
        parsed: body,
      });
    }
    const handler = service.operations[operation];
    if (!handler) throw new UnknownOperationError(target);
    const result = await handler(body, { signal: abort.signal });
    if (abort.signal.aborted) return;
    sendJson(response, 200, requestId, service.jsonVersion, result ?? {});
  } catch (error) {
    if (abort.signal.aborted) return;
    sendError(response, requestId, service, error);
  }
}

function sendError(response: ServerResponse, requestId: string, service: JsonService, error: unknown): void {
  const serviceError =
    error instanceof AwsServiceError
      ? error
      : new AwsServiceError('InternalFailure', error instanceof Error ? error.message : String(error), {
          status: 500,
        });
  const extraHeaders: Record<string, string> = {};
  if (service.queryCompatible) {
    const fault = serviceError.status >= 500 ? 'Receiver' : 'Sender';
    extraHeaders['x-amzn-query-error'] = `${serviceError.queryCode ?? serviceError.code};${fault}`;
  }
  sendJson(
    response,
    serviceError.status,
    requestId,
    service.jsonVersion,
    { __type: `${service.errorNamespace}#${serviceError.code}`, message: serviceError.message },
    extraHeaders,
  );
}

function sendJson(
  response: ServerResponse,
  status: number,
  requestId: string,
  jsonVersion: string,
  payload: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  const body = Buffer.from(JSON.stringify(payload));
  response.writeHead(status, {
    'content-type': `application/x-amz-json-${jsonVersion}`,
    'content-length': body.length,
    'x-amzn-requestid': requestId,
    ...extraHeaders,
  });
  response.end(body);
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('Request body is not valid JSON', 'SerializationException');
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ValidationError('Request body is too large', 'RequestEntityTooLarge'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function drain(request: IncomingMessage): void {
  request.resume();
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
