import { createPowertools } from '../../src';
import { isBuiltByReelay } from '../../src/handlers';
import {
  type HttpEvent,
  HttpProblemError,
  httpHandler,
  json,
  type PublicHttpEvent,
  publicHttpHandler,
} from '../../src/http';
import { lambdaContext as context, logLines } from '../support/lambda';

/** An API Gateway HTTP API (payload 2.0) event, with verified claims when `userId` is given. */
const httpEvent = (routeKey: string, opts: { userId?: string; jobId?: string } = {}): HttpEvent =>
  ({
    version: '2.0',
    routeKey,
    rawPath: '/',
    headers: {},
    isBase64Encoded: false,
    ...(opts.jobId ? { pathParameters: { jobId: opts.jobId } } : {}),
    requestContext: opts.userId
      ? { authorizer: { jwt: { claims: { sub: opts.userId }, scopes: null } } }
      : {},
  }) as unknown as HttpEvent;

// Lambda sets it in every on-demand sandbox; Powertools reads it at construction. Metrics are not the subject here.
beforeAll(() => {
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

const bodyOf = (res: { body?: string }) => JSON.parse(String(res.body)) as Record<string, unknown>;

class JobContendedError extends HttpProblemError {
  constructor() {
    super(
      { status: 503, title: 'Busy, try again', detail: 'retry with the same key' },
      { headers: { 'retry-after': '1' } },
    );
  }
}

describe('httpHandler', () => {
  test('an unexpected error answers a problem+json 500 whose instance is the request id, and logs its stack with the request keys', async () => {
    // Prepare
    const powertools = createPowertools('test');
    const handler = httpHandler(powertools, {
      'GET /jobs/{jobId}': async () => {
        throw new Error('table unreachable');
      },
    });
    let res: Awaited<ReturnType<typeof handler>> | undefined;

    // Act
    const lines = await logLines(async () => {
      res = await handler(
        httpEvent('GET /jobs/{jobId}', { userId: 'u-1', jobId: 'J-1' }),
        context('req-500'),
      );
    });

    // Assess
    expect(res?.statusCode).toBe(500);
    expect(res?.headers?.['content-type']).toBe('application/problem+json');
    expect(bodyOf(res ?? {})).toMatchObject({
      status: 500,
      title: 'Internal error',
      instance: 'urn:reelay:request:req-500',
    });
    const failed = lines.find((l) => l.level === 'ERROR');
    expect(failed).toMatchObject({
      function_request_id: 'req-500',
      userId: 'u-1',
      jobId: 'J-1',
      error: {
        name: 'Error',
        message: 'table unreachable',
        stack: expect.stringContaining('http-handler.test.ts'),
      },
    });
  });

  test('a known error keeps its status, title and headers, and is not logged as an error', async () => {
    // Prepare
    const powertools = createPowertools('test');
    const handler = httpHandler(powertools, {
      'POST /jobs': async () => {
        throw new JobContendedError();
      },
    });
    let res: Awaited<ReturnType<typeof handler>> | undefined;

    // Act
    const lines = await logLines(async () => {
      res = await handler(httpEvent('POST /jobs', { userId: 'u-1' }), context('req-503'));
    });

    // Assess
    expect(res?.statusCode).toBe(503);
    expect(res?.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '1' });
    expect(bodyOf(res ?? {})).toEqual({
      type: 'about:blank',
      status: 503,
      title: 'Busy, try again',
      detail: 'retry with the same key',
    });
    expect(lines.filter((l) => l.level === 'ERROR')).toEqual([]);
    expect(lines.find((l) => l.message === 'request refused')).toMatchObject({ status: 503, userId: 'u-1' });
  });

  test('answers 401 without verified claims and 404 for a route key it does not serve', async () => {
    // Prepare
    const powertools = createPowertools('test');
    powertools.logger.setLogLevel('SILENT');
    const served = jest.fn(async () => json(200, {}));
    const handler = httpHandler(powertools, { 'GET /jobs': served });

    // Act
    const anonymous = await handler(httpEvent('GET /jobs'), context('req-401'));
    const unknown = await handler(httpEvent('GET /nowhere', { userId: 'u-1' }), context('req-404'));

    // Assess
    expect([anonymous.statusCode, unknown.statusCode]).toEqual([401, 404]);
    expect(bodyOf(anonymous)).toMatchObject({ status: 401, title: 'Unauthorized' });
    expect(bodyOf(unknown)).toMatchObject({ status: 404, detail: 'GET /nowhere is not served here' });
    expect(served).not.toHaveBeenCalled();
  });

  test("every log line of a request carries its userId and jobId, and the next request's do not", async () => {
    // Prepare
    const powertools = createPowertools('test');
    const handler = httpHandler(powertools, {
      'GET /jobs/{jobId}': async () => {
        powertools.logger.info('reading the job');
        return json(200, { ok: true });
      },
      'GET /jobs': async () => json(200, { jobs: [] }),
    });

    // Act
    const lines = await logLines(async () => {
      await handler(httpEvent('GET /jobs/{jobId}', { userId: 'u-1', jobId: 'J-1' }), context('req-a'));
      await handler(httpEvent('GET /jobs', { userId: 'u-2' }), context('req-b'));
    });

    // Assess
    const first = lines.filter((l) => l.function_request_id === 'req-a');
    expect(first.map((l) => l.message)).toEqual(['reading the job', 'request served']);
    for (const line of first) expect(line).toMatchObject({ userId: 'u-1', jobId: 'J-1' });
    const second = lines.find((l) => l.function_request_id === 'req-b');
    expect(second).toMatchObject({ userId: 'u-2', message: 'request served', statusCode: 200 });
    expect(second).not.toHaveProperty('jobId');
  });

  test('authenticated and public handlers are built by the one builder', () => {
    const powertools = createPowertools('test');
    expect(isBuiltByReelay(httpHandler(powertools, {}))).toBe(true);
    expect(isBuiltByReelay(publicHttpHandler(powertools, async () => json(200, {})))).toBe(true);
  });
});

describe('publicHttpHandler', () => {
  test('ends in the same error handler: a known 401 as problem+json, anything else a 500 with the request id', async () => {
    // Prepare
    const powertools = createPowertools('test');
    powertools.logger.setLogLevel('SILENT');
    const handler = publicHttpHandler(powertools, async (event: PublicHttpEvent) => {
      if (event.headers['webhook-signature'] === undefined)
        throw new HttpProblemError({ status: 401, title: 'Unauthorized', detail: 'no signature' });
      throw new TypeError('secret not readable');
    });
    const request = (headers: Record<string, string>) => ({ headers }) as unknown as PublicHttpEvent;

    // Act
    const unsigned = await handler(request({}), context('req-pub-401'));
    const broken = await handler(request({ 'webhook-signature': 'v1,x' }), context('req-pub-500'));

    // Assess
    expect(unsigned.statusCode).toBe(401);
    expect(bodyOf(unsigned)).toMatchObject({ status: 401, detail: 'no signature' });
    expect(broken.statusCode).toBe(500);
    expect(broken.headers?.['content-type']).toBe('application/problem+json');
    expect(bodyOf(broken).instance).toBe('urn:reelay:request:req-pub-500');
  });
});
