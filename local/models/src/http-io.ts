import type { IncomingMessage, ServerResponse } from 'node:http';

export class RequestBodyTooLargeError extends Error {
  readonly retryable = false;
  constructor(readonly limitBytes: number) {
    super(`request body is larger than ${limitBytes} bytes`);
    this.name = 'RequestBodyTooLargeError';
  }
}

export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new RequestBodyTooLargeError(limitBytes));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
    ...headers,
  });
  res.end(payload);
}

/** Replicate's errors are RFC 7807 problem details. */
export function sendProblem(
  res: ServerResponse,
  status: number,
  title: string,
  detail: string,
  { headers, extra }: { headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
): void {
  sendJson(res, status, { title, detail, status, ...extra }, headers);
}
