import { request } from 'node:http';
import { S3Client } from '@aws-sdk/client-s3';
import { type HttpEvent, type HttpResponse, httpHandler } from '@reelay/lambda';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import fc from 'fast-check';
import { ulid } from 'ulid';
import { LocalHttpApi } from '../../../../local/cloud/src/local-http-api';
import { describeCallback, registerCallback } from '../../src/callbacks/register-callback';
import { cancelJob } from '../../src/jobs/cancel-job';
import { getJob } from '../../src/jobs/get-job';
import { listJobs } from '../../src/jobs/list-jobs';
import { regenerateJob } from '../../src/jobs/regenerate-job';
import { submitJob } from '../../src/jobs/submit-job';
import { powertools } from '../../src/powertools';
import { createUpload } from '../../src/uploads/create-upload';
import { uploadResolver } from '../../src/uploads/resolve-uploads';
import { type ApiTableFixture, RecordingPublisher, startApiTable } from '../support/api-table';

/**
 * Property tests on the api's routes, run in-process against DynamoDB Local (the same handlers and
 * route keys as serverless.yml, with an in-memory bus): fast enough for 10,000 generated requests.
 */
describe('every route, under generated requests', () => {
  let fixture: ApiTableFixture;
  let handle: (event: HttpEvent) => Promise<HttpResponse>;
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  // Every refused request logs one "request refused" line at info: 20,000 lines on stdout per run.
  // logger.setLogLevel('SILENT') does not hold (Powertools' injectLambdaContext puts the level back to
  // the initial one on every warm invocation), so the handlers' info lines are dropped at stdout
  // instead; warnings and errors still show.
  let restoreStdout: () => void = () => undefined;
  beforeAll(async () => {
    restoreStdout = dropInfoLogLines();
    fixture = await startApiTable();
    const table = { doc: fixture.doc, table: fixture.table };
    const publisher = new RecordingPublisher();
    // The ledger's table is not needed to answer: an empty table stands for "nothing projected yet".
    const jobsTable = fixture.table;
    const submitDeps = {
      ...table,
      publisher,
      quota: { unit: 'jobs' as const, perDay: 1_000_000 },
      resolveUploads: uploadResolver({ ...table, s3, mediaBucket: 'media' }),
    };
    const readDeps = { ...table, jobsTable, s3, mediaBucket: 'media' };
    const handler = httpHandler(powertools, {
      'POST /jobs': (u, e) => submitJob(u, e, submitDeps),
      'POST /jobs/{jobId}/regenerate': (u, e) => regenerateJob(u, e.pathParameters?.jobId, e, submitDeps),
      'GET /jobs/{jobId}': (u, e) => getJob(u, e.pathParameters?.jobId, readDeps),
      'GET /jobs': (u, e) => listJobs(u, e.queryStringParameters, readDeps),
      'POST /jobs/{jobId}/cancel': (u, e) =>
        cancelJob(u, e.pathParameters?.jobId, { ...table, jobsTable, publisher }),
      'POST /uploads': (u, e) => createUpload(u, e, { ...table, s3, mediaBucket: 'media' }),
      'PUT /callback': (u, e) => registerCallback(u, e, { ...table, policy: { allowLoopbackHttp: false } }),
      'GET /callback': (u) => describeCallback(u, table),
    });
    // The built handler as Lambda calls it: with a context (its request id names a 500's instance).
    let requests = 0;
    handle = (e) =>
      handler(e, {
        awsRequestId: `prop-${++requests}`,
        functionName: 'api-props',
        getRemainingTimeInMillis: () => 30_000,
      } as Context);
  }, 120_000);
  afterAll(async () => {
    restoreStdout();
    await fixture?.close();
  });

  const event = (
    routeKey: string,
    opts: {
      user?: string;
      jobId?: string;
      body?: string;
      headers?: Record<string, string>;
      query?: Record<string, string>;
    },
  ): HttpEvent =>
    ({
      routeKey,
      headers: opts.headers ?? {},
      body: opts.body,
      isBase64Encoded: false,
      pathParameters: opts.jobId !== undefined ? { jobId: opts.jobId } : undefined,
      queryStringParameters: opts.query,
      requestContext: opts.user ? { authorizer: { jwt: { claims: { sub: opts.user }, scopes: null } } } : {},
    }) as unknown as HttpEvent;

  const specField = fc.oneof(
    fc.constantFrom(
      'recipe',
      'prompt',
      'uploads',
      'scenes',
      'secondsPerScene',
      'resolution',
      'aspect',
      'fps',
      'transition',
      'music',
      'narration',
      'captions',
      'voice',
      'seed',
      'models',
      'deadlineSec',
    ),
    fc.string({ maxLength: 12 }),
  );
  const anyValue = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.constant(ulid())), { maxLength: 4 }),
    fc.constantFrom(
      'story',
      'merge',
      'prompt',
      '720p',
      '16:9',
      'fade',
      'image/png',
      'https://10.0.0.1/x',
      'https://93.184.216.34/x',
    ),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  );
  const jsonObjectBody = fc.dictionary(specField, anyValue, { maxKeys: 6 }).map((o) => JSON.stringify(o));
  const body = fc.option(
    fc.oneof(
      jsonObjectBody,
      fc.json({ maxDepth: 3 }),
      fc.string({ maxLength: 200 }),
      fc.constant('x'.repeat(70_000)),
    ),
    { nil: undefined },
  );
  const jobIdParam = fc.oneof(
    fc.constant(ulid()),
    fc.string({ maxLength: 40 }),
    fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
  );
  const headers = fc.record(
    {
      'content-type': fc.oneof(
        fc.constant('application/json'),
        fc.constant('text/plain'),
        fc.string({ maxLength: 30 }),
      ),
      'idempotency-key': fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.constant(''),
        fc.constant('k'.repeat(300)),
      ),
    },
    { requiredKeys: [] },
  );
  const query = fc.option(
    fc.dictionary(
      fc.constantFrom('limit', 'next', 'status', 'other'),
      fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('5', '0', '101', 'FAILED', 'NOPE')),
      { maxKeys: 3 },
    ),
    { nil: undefined },
  );
  const route = fc.constantFrom(
    'POST /jobs',
    'POST /jobs/{jobId}/regenerate',
    'GET /jobs/{jobId}',
    'GET /jobs',
    'POST /jobs/{jobId}/cancel',
    'POST /uploads',
    'PUT /callback',
    'GET /callback',
  );

  it('never answers 5xx to 10,000 generated bodies, headers and paths, and every 4xx names the problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        route,
        fc.option(fc.constantFrom('prop-a', 'prop-b'), { nil: undefined }),
        jobIdParam,
        body,
        headers,
        query,
        async (routeKey, user, jobId, rawBody, hdrs, q) => {
          const res = (await handle(
            event(routeKey, {
              ...(user ? { user } : {}),
              ...(routeKey.includes('{jobId}') ? { jobId } : {}),
              ...(rawBody !== undefined ? { body: rawBody } : {}),
              headers: hdrs as Record<string, string>,
              ...(q ? { query: q } : {}),
            }),
          )) as APIGatewayProxyStructuredResultV2;
          expect(res.statusCode).toBeLessThan(500);
          if ((res.statusCode ?? 0) >= 400) {
            expect(res.headers?.['content-type']).toBe('application/problem+json');
            const problem = JSON.parse(String(res.body)) as {
              title?: string;
              detail?: string;
              status?: number;
            };
            expect(problem.status).toBe(res.statusCode);
            expect(problem.title?.length).toBeGreaterThan(0);
            expect(problem.detail?.length).toBeGreaterThan(5);
          }
        },
      ),
      { numRuns: 10_000 },
    );
  }, 600_000);

  it('never answers 5xx through the local gateway to generated raw paths, headers and bodies', async () => {
    // Prepare: the local gateway (the one `npm run up` serves) in front of the same handlers, with the
    // routes and JWT authorizer of serverless.yml; requests go over HTTP as clients send them.
    const gateway = new LocalHttpApi(async (_arn, e) => handle(e as HttpEvent));
    const jwt = { issuer: 'local', audience: ['reelay-local'] };
    for (const routeKey of [
      'POST /jobs',
      'POST /jobs/{jobId}/regenerate',
      'GET /jobs/{jobId}',
      'GET /jobs',
      'POST /jobs/{jobId}/cancel',
      'POST /uploads',
      'PUT /callback',
      'GET /callback',
    ])
      gateway.addRoute({ routeKey, functionArn: 'api', jwt });
    gateway.setCors({ AllowOrigins: ['*'], AllowMethods: ['GET', 'POST', 'PUT'], AllowHeaders: ['*'] });
    await gateway.listen();
    const token = gateway.issuer?.token('prop-gw') ?? '';
    const huge = Buffer.alloc(10 * 1024 * 1024 + 1, 'a');
    const segment = fc.oneof(
      fc.constantFrom(
        'jobs',
        'uploads',
        'callback',
        'cancel',
        'regenerate',
        '%ZZ',
        '%',
        '%E0%A4%A',
        '%00',
        '%2F',
        '..',
        '.',
        '',
        '%F0%9F%8E%A5',
        'x'.repeat(3000),
      ),
      fc.constant(ulid()),
      fc.stringMatching(/^[A-Za-z0-9%._~!$&'()*+,;=:@-]{0,30}$/),
    );
    const rawPath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`);
    const gatewayQuery = fc.option(fc.stringMatching(/^[A-Za-z0-9%=&._-]{0,40}$/), { nil: undefined });
    const contentType = fc.option(
      fc.constantFrom(
        'application/json',
        'Application/JSON; charset=UTF-8',
        'text/plain',
        'Multipart/Form-Data; boundary=x',
        'multipart/form-data',
        'application/x-www-form-urlencoded',
        'application/octet-stream',
        ';;;',
        'application/json; charset=latin1',
      ),
      { nil: undefined },
    );
    const auth = fc.constantFrom('valid', 'none', 'garbage', 'basic');
    const gatewayBody = fc.option(
      fc.oneof(
        { weight: 10, arbitrary: body.map((b) => (b === undefined ? undefined : Buffer.from(b))) },
        {
          weight: 1,
          arbitrary: fc.constant(huge),
        },
      ),
      { nil: undefined },
    );
    const send = (method: string, path: string, headers: Record<string, string>, payload?: Buffer) =>
      new Promise<number>((resolve, reject) => {
        // A connection of its own each time (agent: false): Node's global agent keeps sockets alive
        // and may write a request into one the gateway is closing for idleness (its 5 s keep-alive
        // timeout, reached when a loaded machine pauses the property run), which fails the write
        // with EPIPE before any answer: a race of connection reuse, not an answer of the gateway.
        const req = request(`${gateway.url}${path}`, { method, headers, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(payload);
      });

    try {
      // Act + Assess
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'POST', 'PUT', 'OPTIONS', 'DELETE', 'PATCH'),
          rawPath,
          gatewayQuery,
          contentType,
          auth,
          gatewayBody,
          async (method, path, q, type, authMode, payload) => {
            const headers: Record<string, string> = {
              ...(type ? { 'content-type': type } : {}),
              ...(authMode === 'valid' ? { authorization: `Bearer ${token}` } : {}),
              ...(authMode === 'garbage' ? { authorization: 'Bearer a.b.c' } : {}),
              ...(authMode === 'basic' ? { authorization: 'Basic eDp5' } : {}),
              ...(method === 'OPTIONS'
                ? { origin: 'https://a.example', 'access-control-request-method': 'POST' }
                : {}),
            };
            // node:http declares a body's length itself only for some methods (not GET, DELETE, OPTIONS).
            if (payload) headers['content-length'] = String(payload.length);
            const status = await send(method, q === undefined ? path : `${path}?${q}`, headers, payload);
            expect(status).toBeLessThan(500);
          },
        ),
        { numRuns: 600 },
      );
    } finally {
      await gateway.close();
    }
  }, 600_000);

  it("never lets one user see or touch another user's job or upload, on any route", async () => {
    const owner = 'owner-user';
    const created = (await handle(
      event('POST /jobs', { user: owner, body: JSON.stringify({ prompt: 'private' }) }),
    )) as APIGatewayProxyStructuredResultV2;
    const jobId = JSON.parse(String(created.body)).jobId as string;
    const upload = (await handle(
      event('POST /uploads', { user: owner, body: JSON.stringify({ contentType: 'image/png', bytes: 10 }) }),
    )) as APIGatewayProxyStructuredResultV2;
    const uploadId = JSON.parse(String(upload.body)).uploadId as string;

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'GET /jobs/{jobId}',
          'POST /jobs/{jobId}/cancel',
          'POST /jobs/{jobId}/regenerate',
          'POST /jobs',
          'GET /jobs',
        ),
        fc.stringMatching(/^[a-z]{1,10}$/).filter((u) => u !== owner),
        jsonObjectBody,
        async (routeKey, intruder, extra) => {
          const requestBody =
            routeKey === 'POST /jobs'
              ? JSON.stringify({ recipe: 'story', uploads: [uploadId] })
              : routeKey.endsWith('regenerate')
                ? JSON.stringify({ prompt: 'steal', ...JSON.parse(extra) })
                : undefined;
          const res = (await handle(
            event(routeKey, {
              user: intruder,
              jobId,
              headers: { 'content-type': 'application/json' },
              ...(requestBody ? { body: requestBody } : {}),
            }),
          )) as APIGatewayProxyStructuredResultV2;
          if (routeKey === 'GET /jobs') {
            expect(JSON.parse(String(res.body)).jobs.map((j: { jobId: string }) => j.jobId)).not.toContain(
              jobId,
            );
          } else if (routeKey === 'POST /jobs') {
            expect(res.statusCode).toBe(422);
          } else {
            // 400 is allowed only for a malformed request body, which is refused before any lookup.
            expect([404, 400]).toContain(res.statusCode);
            expect(String(res.body)).not.toContain('private');
          }
        },
      ),
      { numRuns: 300 },
    );
    const ownView = (await handle(
      event('GET /jobs/{jobId}', { user: owner, jobId }),
    )) as APIGatewayProxyStructuredResultV2;
    expect(ownView.statusCode).toBe(200);
    expect(JSON.parse(String(ownView.body)).cancelledAt).toBeUndefined();
  }, 300_000);
});

/** Drops the JSON log lines at info or debug written to stdout; returns what puts stdout back. */
function dropInfoLogLines(): () => void {
  const write = process.stdout.write.bind(process.stdout);
  const quiet = /^\{"level":"(INFO|DEBUG)"/;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && quiet.test(chunk)
      ? true
      : (write as (...args: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stdout.write;
  return () => {
    process.stdout.write = write;
  };
}
