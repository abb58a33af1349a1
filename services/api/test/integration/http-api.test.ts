import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeReplayCommand, PutEventsCommand, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { makeJobFailed, makeVideoComposed } from '@reelay/events';
import { readJobRecord } from '@reelay/job-records';
import { Webhook } from 'standardwebhooks';
import { uploadFiles } from '../../../../local/cli/upload-files';
import { type EmbeddedCloud, startEmbeddedCloud } from '../../../../local/cloud/src/embedded-cloud';
import { cloudAtRest } from '../../../../test/support/cloud-at-rest';
import { TEST_STAGE } from '../../../../test/support/test-stage';
import { jobFloodTests, LIMIT, withMaxConcurrentJobs } from './job-flood';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A callback receiver on loopback; `answer` decides the response. */
async function startReceiver(
  answer: (res: import('node:http').ServerResponse) => void = (res) => res.writeHead(204).end(),
) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the HTTP API on the embedded cloud, driven as an integrator would (fetch + dev token)', () => {
  let cloud: EmbeddedCloud;
  let workDir: string;
  const logs: string[] = [];
  const startedAt = new Date();

  beforeAll(async () => {
    cloud = await startEmbeddedCloud({
      stage: TEST_STAGE,
      onLog: (fn, line) => {
        logs.push(`${fn} ${line}`);
        if (process.env.API_TEST_LOG) appendFileSync(process.env.API_TEST_LOG, `${fn} ${line}\n`);
      },
      functionEnv: {
        CALLBACK_TEST_ALLOW_LOOPBACK_HTTP: 'true',
        CALLBACK_BACKOFF_BASE_SEC: '1',
        CALLBACK_MAX_ATTEMPTS: '3',
      },
      // A user may run LIMIT jobs at once here (the flood case, job-flood.ts, shares this cloud);
      // every other case's user runs no more than that, or only checks that its jobs were accepted.
      transformTemplate: (service, template) =>
        service === 'api' ? withMaxConcurrentJobs(template, LIMIT) : template,
    });
    workDir = mkdtempSync(join(tmpdir(), 'reelay-api-'));
    // Cold starts on a busy machine can exceed a route's timeout once: warm every function first.
    const token = cloud.token('warm-up');
    const warm = async (method: string, path: string, body?: string) => {
      for (let i = 0; i < 5; i++) {
        const status = await fetch(`${cloud.endpoints.api}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(body ? { body } : {}),
        }).then(
          (res) => res.status,
          () => 0,
        );
        if (status !== 502 && status !== 0) return;
      }
    };
    await Promise.all([
      warm('GET', '/openapi.json'),
      warm('POST', '/jobs', '{}'),
      warm('GET', '/jobs'),
      warm('POST', '/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV/cancel'),
      warm('POST', '/uploads', '{}'),
      warm('GET', '/callback'),
    ]);
  }, 360_000);

  afterAll(async () => {
    await cloud?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('answers a CORS preflight as serverless.yml httpApi.cors configures it, Idempotency-Key included', async () => {
    // The packaged template's CorsConfiguration reaches the local gateway through the deployer.
    const res = await fetch(`${cloud.endpoints.api}/jobs`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://integrator.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });

    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')?.split(',')).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'idempotency-key']),
    );
  });

  async function call(
    method: string,
    path: string,
    opts: { user?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const res = await fetch(`${cloud.endpoints.api}${path}`, {
      method,
      headers: {
        ...(opts.user ? { authorization: `Bearer ${cloud.token(opts.user)}` } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.headers ?? {}),
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, json };
  }

  const submitCheapJob = async (user: string, prompt = 'a paper boat on a pond') => {
    const res = await call('POST', '/jobs', {
      user,
      body: { prompt, scenes: 1, secondsPerScene: 1, resolution: '480p', music: false, narration: false },
    });
    if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${JSON.stringify(res.json)}`);
    return String(res.json.jobId);
  };

  it('serves a job to its owner and a 404 to everyone else on every job route', async () => {
    const jobId = await submitCheapJob('alice');

    const own = await call('GET', `/jobs/${jobId}`, { user: 'alice' });
    const list = await call('GET', '/jobs?limit=5', { user: 'alice' });
    const othersGet = await call('GET', `/jobs/${jobId}`, { user: 'mallory' });
    const othersCancel = await call('POST', `/jobs/${jobId}/cancel`, { user: 'mallory' });
    const othersRegenerate = await call('POST', `/jobs/${jobId}/regenerate`, {
      user: 'mallory',
      body: { prompt: 'mine now' },
    });
    const othersList = await call('GET', '/jobs', { user: 'mallory' });
    const anonymous = await call('GET', `/jobs/${jobId}`);

    expect(own.status).toBe(200);
    expect(own.json).toMatchObject({ jobId, history: [{ jobId, prompt: 'a paper boat on a pond' }] });
    expect((list.json.jobs as Array<{ jobId: string }>)[0]?.jobId).toBe(jobId);
    expect([othersGet.status, othersCancel.status, othersRegenerate.status]).toEqual([404, 404, 404]);
    expect(othersList.json.jobs).toEqual([]);
    expect(anonymous.status).toBe(401);
    await call('POST', `/jobs/${jobId}/cancel`, { user: 'alice' });
  });

  it('regenerates with parentJobId and keeps the prompt history; cancels once (CANCELLED in the job and the list, found by its status filter), then answers 409', async () => {
    const parent = await submitCheapJob('bob', 'first prompt');

    const child = await call('POST', `/jobs/${parent}/regenerate`, {
      user: 'bob',
      body: { prompt: 'second prompt' },
    });
    const childId = String(child.json.jobId);
    const childView = await call('GET', `/jobs/${childId}`, { user: 'bob' });
    const cancelled = await call('POST', `/jobs/${childId}/cancel`, { user: 'bob' });
    await eventually(async () => {
      const v = await call('GET', `/jobs/${childId}`, { user: 'bob' });
      return v.json.status === 'CANCELLED' ? v : undefined;
    }, 'the cancelled job to be CANCELLED');
    const again = await call('POST', `/jobs/${childId}/cancel`, { user: 'bob' });
    const listed = await call('GET', '/jobs?status=CANCELLED', { user: 'bob' });
    await call('POST', `/jobs/${parent}/cancel`, { user: 'bob' });

    expect(child.status).toBe(202);
    expect(child.json.parentJobId).toBe(parent);
    expect((childView.json.history as Array<{ prompt: string }>).map((h) => h.prompt)).toEqual([
      'first prompt',
      'second prompt',
    ]);
    expect(cancelled.status).toBe(202);
    expect(again.status).toBe(409);
    expect(listed.status).toBe(200);
    expect(
      (listed.json.jobs as Array<{ jobId: string; status: string }>).map((j) => [j.jobId, j.status]),
    ).toEqual([[childId, 'CANCELLED']]);
  });

  it('serves a valid OpenAPI document without a token, and every example request is accepted', async () => {
    const doc = await call('GET', '/openapi.json');
    const jobId = await submitCheapJob('carol');

    const examples = [
      await call('POST', '/jobs', {
        user: 'carol',
        body: {
          prompt: 'a lighthouse in a storm at night',
          scenes: 1,
          secondsPerScene: 1,
          resolution: '480p',
        },
      }),
      await call('POST', `/jobs/${jobId}/regenerate`, {
        user: 'carol',
        body: { prompt: 'a lighthouse in a calm sunrise', options: { transition: 'fade' } },
      }),
      await call('POST', '/uploads', { user: 'carol', body: { contentType: 'image/png', bytes: 48213 } }),
      await call('PUT', '/callback', { user: 'carol', body: { url: 'https://93.184.216.34/reelay' } }),
    ];

    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toBe('3.1.0');
    expect(examples.map((e) => e.status)).toEqual([202, 202, 201, 200]);
    for (const e of examples.slice(0, 2))
      await call('POST', `/jobs/${String(e.json.jobId)}/cancel`, { user: 'carol' });
    await call('POST', `/jobs/${jobId}/cancel`, { user: 'carol' });
  });

  it('answers a problem+json 500 naming the request id when a route fails unexpectedly (a table it cannot reach), and logs the stack', async () => {
    // Prepare: the get-job function's role is denied the ledger's jobs table, as a wrong deploy would do.
    const jobId = await submitCheapJob('ivan');
    const roleArn = `arn:aws:iam::${cloud.accountId}:role/reelay-${cloud.stage}-api-get-job-${cloud.region}`;
    const deployed = cloud.iam.engine.rolePolicies(roleArn);
    expect(deployed.length).toBeGreaterThan(0);
    const denyJobsTable = {
      name: 'test-deny-jobs-table',
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Action: 'dynamodb:*',
            Resource: `arn:aws:dynamodb:${cloud.region}:${cloud.accountId}:table/${cloud.names.jobsTable}`,
          },
        ],
      },
    };
    cloud.iam.engine.setRolePolicies(roleArn, [...deployed, denyJobsTable]);

    // Act
    let failed: Awaited<ReturnType<typeof call>>;
    try {
      failed = await call('GET', `/jobs/${jobId}`, { user: 'ivan' });
    } finally {
      cloud.iam.engine.setRolePolicies(roleArn, deployed);
    }
    const healed = await call('GET', `/jobs/${jobId}`, { user: 'ivan' });
    await call('POST', `/jobs/${jobId}/cancel`, { user: 'ivan' });

    // Assess: problem+json, never the gateway's bare 500; the instance is the Lambda request id, and
    // the function logged the error with its stack under that id.
    expect(failed.status).toBe(500);
    expect(failed.headers.get('content-type')).toBe('application/problem+json');
    expect(failed.json).toMatchObject({ status: 500, title: 'Internal error' });
    const requestId = String(failed.json.instance).match(/^urn:reelay:request:(.+)$/)?.[1];
    expect(requestId).toBeDefined();
    const logged = logs
      .filter((l) => l.includes(String(requestId)) && l.includes('"level":"ERROR"'))
      .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Record<string, unknown>);
    expect(logged).toEqual([
      expect.objectContaining({
        function_request_id: requestId,
        userId: 'ivan',
        jobId,
        error: expect.objectContaining({ stack: expect.stringMatching(/AccessDenied/) }),
      }),
    ]);
    expect(healed.status).toBe(200);
  });

  describe('uploads through a presigned POST', () => {
    let png: Buffer;
    beforeAll(() => {
      const file = join(workDir, 'still.png');
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'color=c=red:s=64x64',
        '-frames:v',
        '1',
        '-y',
        file,
      ]);
      png = readFileSync(file);
    });

    async function presign(user: string, contentType: string, bytes: number) {
      const res = await call('POST', '/uploads', { user, body: { contentType, bytes } });
      expect(res.status).toBe(201);
      return res.json as { uploadId: string; url: string; fields: Record<string, string> };
    }

    async function post(
      target: { url: string; fields: Record<string, string> },
      file: Buffer,
      type: string,
      override: Record<string, string> = {},
    ) {
      const form = new FormData();
      for (const [k, v] of Object.entries({ ...target.fields, ...override })) form.append(k, v);
      form.append('file', new Blob([file], { type }), 'upload');
      const res = await fetch(target.url, { method: 'POST', body: form });
      return { status: res.status, text: await res.text() };
    }

    it('refuses a wrong key, a wrong content type and a wrong size, as S3 does', async () => {
      const target = await presign('dave', 'image/png', png.length);

      const wrongKey = await post(target, png, 'image/png', {
        key: `uploads/mallory/${target.uploadId}.png`,
      });
      const wrongType = await post(target, png, 'image/png', { 'Content-Type': 'text/html' });
      const wrongSize = await post(target, Buffer.concat([png, Buffer.alloc(10)]), 'image/png');
      const right = await post(target, png, 'image/png');

      expect(wrongKey.status).toBe(403);
      expect(wrongType.status).toBe(403);
      expect(wrongSize.status).toBe(400);
      expect(wrongSize.text).toMatch(/EntityTooLarge/);
      expect(right.status).toBe(204);
    });

    it("uses a valid upload in a job (JobRequested carries its key), and refuses another user's or an invalid upload with 422", async () => {
      // The valid one goes through the CLI's own upload path (`npm start -- --upload FILE`).
      const [goodId] = await uploadFiles(cloud.endpoints.api, cloud.token('erin'), [
        join(workDir, 'still.png'),
      ]);
      const good = { uploadId: String(goodId) };
      const fake = Buffer.from('<html>not a picture</html>');
      const bad = await presign('erin', 'image/png', fake.length);
      expect((await post(bad, fake, 'image/png')).status).toBe(204);

      const story = await call('POST', '/jobs', {
        user: 'erin',
        body: { recipe: 'story', uploads: [good.uploadId], narration: false, music: false },
      });
      const stolen = await call('POST', '/jobs', {
        user: 'mallory',
        body: { recipe: 'story', uploads: [good.uploadId] },
      });
      const invalid = await call('POST', '/jobs', {
        user: 'erin',
        body: { recipe: 'story', uploads: [bad.uploadId] },
      });

      expect(story.status).toBe(202);
      const item = await cloud.clients.dynamodb.send(
        new GetItemCommand({
          TableName: `reelay-api-${cloud.stage}`,
          Key: { pk: { S: `JOB#${String(story.json.jobId)}` }, sk: { S: 'JOB' } },
        }),
      );
      expect(item.Item?.uploadKeys?.L?.map((k) => k.S)).toEqual([`uploads/erin/${good.uploadId}.png`]);
      expect(stolen.status).toBe(422);
      expect(stolen.json.detail).toMatch(/not one of your uploads/);
      expect(invalid.status).toBe(422);
      await call('POST', `/jobs/${String(story.json.jobId)}/cancel`, { user: 'erin' });
    });
  });

  describe('callbacks', () => {
    // This cloud runs with the test-only loopback setting, so loopback refusals (127.0.0.1, [::1]) are
    // asserted with the production policy in test/unit/callback-url.test.ts; these stay refused even here.
    it.each([
      ['the metadata address', 'https://169.254.169.254/latest'],
      ['a 10/8 address', 'https://10.0.0.1/hook'],
      ['a 10/8 address over http', 'http://10.200.0.1/hook'],
    ])('refuses a callback URL to %s, even with the test-only loopback setting', async (_name, url) => {
      const res = await call('PUT', '/callback', { user: 'frank', body: { url } });

      expect(res.status).toBe(422);
      expect(String(res.json.detail)).toMatch(/public addresses|https/);
    });

    it('delivers one validly signed callback per terminal event, even after the events are replayed', async () => {
      const receiver = await startReceiver();
      const registered = await call('PUT', '/callback', { user: 'gina', body: { url: receiver.url } });
      const secret = String(registered.json.secret);
      try {
        const completed = await submitCheapJob('gina', 'will be composed');
        const cancelled = await submitCheapJob('gina', 'will be cancelled');
        const composed = makeVideoComposed({
          jobId: completed,
          meta: { userId: 'gina', correlationId: 'corr', occurredAt: new Date().toISOString() },
          // Keys of their own, apart from what the real pipeline may still write for this job.
          key: `jobs/${completed}/api-test/final.mp4`,
          thumbnailKey: `jobs/${completed}/api-test/thumbnail.jpg`,
        });
        const putComposed = () =>
          cloud.clients.events.send(
            new PutEventsCommand({
              Entries: [
                {
                  EventBusName: cloud.names.bus,
                  Source: 'reelay.composer',
                  DetailType: 'VideoComposed',
                  Detail: JSON.stringify(composed),
                },
              ],
            }),
          );
        await cloud.clients.s3.send(
          new PutObjectCommand({
            Bucket: cloud.names.mediaBucket,
            Key: composed.key,
            Body: 'the final video',
          }),
        );
        await putComposed();
        await call('POST', `/jobs/${cancelled}/cancel`, { user: 'gina' });
        await eventually(async () => (receiver.received.length >= 2 ? true : undefined), 'two callbacks');

        // Duplicates and an archive replay of every event since the test started, to the notify rule.
        await putComposed();
        const replayName = `api-test-${Date.now()}`;
        await cloud.clients.events.send(
          new StartReplayCommand({
            ReplayName: replayName,
            EventSourceArn: `arn:aws:events:${cloud.region}:${cloud.accountId}:archive/${cloud.names.bus}-archive`,
            EventStartTime: startedAt,
            EventEndTime: new Date(),
            Destination: {
              Arn: `arn:aws:events:${cloud.region}:${cloud.accountId}:event-bus/${cloud.names.bus}`,
              FilterArns: [
                `arn:aws:events:${cloud.region}:${cloud.accountId}:rule/${cloud.names.bus}/${cloud.names.bus}-api-notify`,
              ],
            },
          }),
        );
        await eventually(async () => {
          const r = await cloud.clients.events.send(new DescribeReplayCommand({ ReplayName: replayName }));
          return r.State === 'COMPLETED' ? true : undefined;
        }, 'the replay to complete');
        // The replayed events have reached the notify and callback functions, and every callback
        // they would send has been sent, once nothing is left to do.
        await cloudAtRest(cloud, { what: 'the replayed events and their callbacks' });

        const byJob = receiver.received.map(
          (r) => JSON.parse(r.body) as { type: string; data: { jobId: string } },
        );
        expect(byJob.map((b) => `${b.data.jobId}:${b.type}`).sort()).toEqual(
          [`${completed}:job.completed`, `${cancelled}:job.failed`].sort(),
        );
        for (const r of receiver.received) {
          expect(() => new Webhook(secret).verify(r.body, r.headers as Record<string, string>)).not.toThrow();
        }
        const view = await eventually(async () => {
          const v = await call('GET', `/jobs/${completed}`, { user: 'gina' });
          return v.json.links ? v : undefined;
        }, 'the ledger to record the composed job');
        expect(view.json.callbacks).toEqual([
          expect.objectContaining({ event: 'job.completed', status: 'DELIVERED', attempts: 1 }),
        ]);
        // Short-lived presigned links to the outputs, for the owner only.
        const links = view.json.links as { video: string; thumbnail: string; expiresAt: string };
        // The link serves the output the ledger recorded: this test's VideoComposed, or the real
        // pipeline's when it composed the job first (a cheap job composes in seconds).
        const record = await readJobRecord(
          DynamoDBDocumentClient.from(cloud.clients.dynamodb),
          cloud.names.jobsTable,
          completed,
        );
        expect([composed.key, `jobs/${completed}/final.mp4`]).toContain(record?.output?.key);
        const stored = await cloud.clients.s3.send(
          new GetObjectCommand({ Bucket: cloud.names.mediaBucket, Key: record?.output?.key }),
        );
        const video = await fetch(links.video);
        expect(video.status).toBe(200);
        expect(Buffer.from(await video.arrayBuffer())).toEqual(
          Buffer.from((await stored.Body?.transformToByteArray()) ?? []),
        );
        expect(new URL(links.thumbnail).searchParams.get('X-Amz-Expires')).toBe('900');
        expect((await call('GET', `/jobs/${completed}`, { user: 'mallory' })).status).toBe(404);
      } finally {
        await receiver.close();
      }
    });

    it.each([
      { winner: 'video', arrivesFirst: 'cancel' },
      { winner: 'cancel', arrivesFirst: 'video' },
    ])(
      'ends a job whose cancel and video conflict on the one that happened first ($winner), though the $arrivesFirst arrives first',
      async ({ winner, arrivesFirst }) => {
        // Prepare: the two events happened a second apart, before anything the real pipeline can publish.
        const receiver = await startReceiver();
        const user = `ivy-${winner}`;
        const registered = await call('PUT', '/callback', { user, body: { url: receiver.url } });
        try {
          const jobId = await submitCheapJob(user, 'the outcome decides');
          const base = Date.now() - 30_000;
          const meta = (second: number) => ({
            userId: user,
            correlationId: 'conflict',
            occurredAt: new Date(base + second * 1000).toISOString(),
          });
          const video = makeVideoComposed({
            jobId,
            meta: meta(winner === 'video' ? 0 : 1),
            key: `jobs/${jobId}/api-test/final.mp4`,
            thumbnailKey: `jobs/${jobId}/api-test/thumbnail.jpg`,
          });
          const cancel = makeJobFailed({
            jobId,
            meta: meta(winner === 'cancel' ? 0 : 1),
            stage: 'cancel',
            code: 'CANCELLED',
            reason: 'cancelled by the user',
          });
          const put = (source: string, detailType: string, detail: unknown) =>
            cloud.clients.events.send(
              new PutEventsCommand({
                Entries: [
                  {
                    EventBusName: cloud.names.bus,
                    Source: source,
                    DetailType: detailType,
                    Detail: JSON.stringify(detail),
                  },
                ],
              }),
            );
          const putVideo = () => put('reelay.composer', 'VideoComposed', video);
          const putCancel = () => put('reelay.api', 'JobFailed', cancel);
          const statusIs = (status: string, callbacks: number) =>
            eventually(async () => {
              const v = await call('GET', `/jobs/${jobId}`, { user });
              const delivered = (v.json.callbacks as Array<{ status: string }> | undefined)?.filter(
                (c) => c.status === 'DELIVERED',
              );
              return v.json.status === status && delivered?.length === callbacks ? v : undefined;
            }, `the job to be ${status} with ${callbacks} callback(s) delivered`);

          // Act: the loser arrives first and its callback goes out; then the winner arrives.
          if (arrivesFirst === 'cancel') {
            await putCancel();
            await statusIs('CANCELLED', 1);
            await putVideo();
          } else {
            await putVideo();
            await statusIs('COMPLETED', 1);
            await putCancel();
          }
          const view = await statusIs(winner === 'video' ? 'COMPLETED' : 'CANCELLED', 2);

          // Assess: the ledger (GET), the api's own record and the latest callback name the winner.
          const apiJob = await DynamoDBDocumentClient.from(cloud.clients.dynamodb).send(
            new GetCommand({
              TableName: `reelay-api-${cloud.stage}`,
              Key: { pk: `JOB#${jobId}`, sk: 'JOB' },
            }),
          );
          const callbacks = receiver.received
            .map((r) =>
              new Webhook(String(registered.json.secret)).verify(r.body, r.headers as Record<string, string>),
            )
            .map(
              (p) => p as { type: string; timestamp: string; data: { status: string; supersedes?: string } },
            )
            .sort((a, b) => a.timestamp.localeCompare(b.timestamp));
          expect({
            get: view.json.status,
            api: apiJob.Item?.outcome,
            callbacks: callbacks.map((c) => `${c.type}/${c.data.status}`),
            supersedes: callbacks[1]?.data.supersedes,
          }).toEqual(
            winner === 'video'
              ? {
                  get: 'COMPLETED',
                  api: 'COMPLETED',
                  callbacks: ['job.failed/CANCELLED', 'job.completed/COMPLETED'],
                  supersedes: 'job.failed',
                }
              : {
                  get: 'CANCELLED',
                  api: 'CANCELLED',
                  callbacks: ['job.completed/COMPLETED', 'job.failed/CANCELLED'],
                  supersedes: 'job.completed',
                },
          );
        } finally {
          await receiver.close();
        }
      },
      120_000,
    );

    it('never follows a redirect (not even to a loopback receiver), retries with back-off, then dead-letters visibly', async () => {
      const target = await startReceiver();
      const redirector = await startReceiver((res) => res.writeHead(302, { location: target.url }).end());
      try {
        await call('PUT', '/callback', { user: 'hank', body: { url: redirector.url } });
        const jobId = await submitCheapJob('hank');

        await call('POST', `/jobs/${jobId}/cancel`, { user: 'hank' });
        const view = await eventually(
          async () => {
            const v = await call('GET', `/jobs/${jobId}`, { user: 'hank' });
            const deliveries = v.json.callbacks as Array<{ status: string }> | undefined;
            return deliveries?.[0]?.status === 'DEAD_LETTERED' ? v : undefined;
          },
          'the callback to be dead-lettered',
          90_000,
        );

        expect(redirector.received).toHaveLength(3);
        expect(target.received).toHaveLength(0);
        expect(view.json.callbacks).toEqual([
          expect.objectContaining({
            event: 'job.failed',
            status: 'DEAD_LETTERED',
            attempts: 3,
            lastError: expect.stringMatching(/redirect/),
          }),
        ]);
      } finally {
        await target.close();
        await redirector.close();
      }
    }, 120_000);
  });

  // Last: the flood's jobs must not be in the window a case above replays.
  jobFloodTests(() => ({ cloud, logs }));
});
