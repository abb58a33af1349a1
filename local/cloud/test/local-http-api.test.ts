import { type IncomingMessage, request } from 'node:http';
import { LocalHttpApi, MAX_BODY_BYTES } from '../src/local-http-api';

/**
 * The local gateway answers what API Gateway (HTTP API) answers itself, before any integration runs.
 * The integration here is a function that records the events it gets (a Lambda standing behind the
 * gateway), so a test also sees what reached it.
 */
describe('the local HTTP API gateway behaves as API Gateway does', () => {
  let api: LocalHttpApi;
  const invoked: Array<{ body?: string; pathParameters?: Record<string, string> }> = [];
  const CORS = {
    AllowOrigins: ['*'],
    AllowMethods: ['OPTIONS', 'POST', 'GET', 'PUT'],
    AllowHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key'],
  };

  beforeAll(async () => {
    api = new LocalHttpApi(async (_arn, event) => {
      const e = event as { body?: string; pathParameters?: Record<string, string> };
      invoked.push(e);
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
    });
    const jwt = { issuer: 'local', audience: ['reelay-local'] };
    api.addRoute({ routeKey: 'POST /jobs', functionArn: 'fn', jwt });
    api.addRoute({ routeKey: 'GET /jobs/{jobId}', functionArn: 'fn', jwt });
    api.setCors(CORS);
    await api.listen();
  });
  afterAll(async () => api.close());
  beforeEach(() => invoked.splice(0));

  const token = () => api.issuer?.token('alice') ?? '';

  /**
   * Sends headers and only the first `sentBytes` of a body (declared or chunked), and resolves with the
   * gateway's answer as soon as it comes: an answer before the body is complete proves the gateway did
   * not wait for it.
   */
  function partialPost(
    headers: Record<string, string>,
    sentBytes: number,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const url = new URL('/jobs', api.url);
      const req = request(url, { method: 'POST', headers }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        // The gateway closes the connection after answering; writing more then fails, which is fine.
        if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
      });
      req.write(Buffer.alloc(sentBytes, 'a'));
    });
  }

  it('refuses a request without a valid token before reading its body (401 while the body is still coming)', async () => {
    // Chunked, so no declared size gives the gateway a reason to refuse: only auth can answer this early.
    const answer = await partialPost(
      { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      64 * 1024,
    );

    expect(answer).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
    expect(invoked).toHaveLength(0);
  });

  it('refuses a declared body over 10 MB with 413 before reading it', async () => {
    const answer = await partialPost(
      {
        authorization: `Bearer ${token()}`,
        'content-type': 'application/json',
        'content-length': String(MAX_BODY_BYTES + 1),
      },
      64 * 1024,
    );

    expect(answer).toEqual({ status: 413, body: '{"message":"Request Entity Too Large"}' });
    expect(invoked).toHaveLength(0);
  });

  it('refuses a chunked body with 413 as soon as it passes 10 MB, without waiting for its end', async () => {
    // No Content-Length: the gateway can only count while reading; 11 MB are sent and the request never ends.
    const answer = await partialPost(
      {
        authorization: `Bearer ${token()}`,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
      MAX_BODY_BYTES + 1024 * 1024,
    );

    expect(answer).toEqual({ status: 413, body: '{"message":"Request Entity Too Large"}' });
    expect(invoked).toHaveLength(0);
  });

  it('passes a body of exactly 10 MB on', async () => {
    const res = await fetch(`${api.url}/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token()}`, 'content-type': 'text/plain' },
      body: 'a'.repeat(MAX_BODY_BYTES),
    });

    expect(res.status).toBe(200);
    expect(invoked[0]?.body).toHaveLength(MAX_BODY_BYTES);
  });

  it.each(['/jobs/%ZZ', '/jobs/%E0%A4%A', '/jobs/%'])(
    'answers a malformed escape in %s with 400',
    async (path) => {
      const res = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token()}` } });

      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: 'Bad Request' });
      expect(invoked).toHaveLength(0);
    },
  );

  it('answers a CORS preflight as the CorsConfiguration says, Idempotency-Key included, with no route for OPTIONS', async () => {
    const res = await fetch(`${api.url}/jobs`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });

    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('OPTIONS,POST,GET,PUT');
    expect(res.headers.get('access-control-allow-headers')?.split(',')).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'idempotency-key']),
    );
    expect(invoked).toHaveLength(0);
  });

  it('gives a preflight for a method or header the configuration does not allow no allow headers', async () => {
    const preflight = (method: string, headers: string) =>
      fetch(`${api.url}/jobs`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': method,
          'access-control-request-headers': headers,
        },
      });

    const deleteMethod = await preflight('DELETE', 'authorization');
    const otherHeader = await preflight('POST', 'x-secret');

    expect(deleteMethod.headers.get('access-control-allow-origin')).toBeNull();
    expect(otherHeader.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds the allowed origin to an actual cross-origin response', async () => {
    const res = await fetch(`${api.url}/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV`, {
      headers: { authorization: `Bearer ${token()}`, origin: 'https://app.example.com' },
    });

    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});
