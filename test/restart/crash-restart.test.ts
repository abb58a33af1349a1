/**
 * Issue 19 item 5: `npm run up` killed with SIGKILL in the middle of a job and started again on the
 * same data folder finishes the job once (one video, one charge per prediction, one callback), and
 * the day's quota and the Idempotency-Key still hold. The cloud runs as a child process exactly as a
 * developer runs it; everything is checked through its announced endpoints with real SDK clients.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { readUserDailyUsage } from '@reelay/job-records';
import { type CallbackReceiver, startCallbackReceiver } from '../chaos/callback-receiver';

const ROOT = resolve(__dirname, '../..');
const NODE = resolve(ROOT, 'node_modules/.bin/node');
const USER = 'local-user';
/**
 * The queues' visibility timeouts are 6x their functions' timeouts (up to 90 minutes): a message in
 * flight at the kill comes back only after that, as SQS would redeliver it. The test brings them down
 * through SetQueueAttributes, as an operator would, so the restart resumes within seconds.
 */
const VISIBILITY_SEC = 15;
/**
 * The composition lease (COMPOSE_LEASE_MS; by default a minute, renewed every third of it while the
 * composer works). Longer than a restart takes on an idle machine (10-20 s), so the compose request
 * that was in flight comes back while the dead composer's lease still stands and must wait for it (a
 * slower restart finds it expired); short, because the job ends only once it has run out.
 */
const COMPOSE_LEASE_MS = 25_000;

/** What `npm run up -- --json` announces once ready. */
interface Ready {
  api: string;
  token: string;
  region: string;
  stage: string;
  endpoints: Record<'s3' | 'dynamodb' | 'sqs' | 'stepfunctions', string>;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

interface UpProcess {
  child: ChildProcessWithoutNullStreams;
  ready: Ready;
  stderr: () => string;
}

const started: ChildProcessWithoutNullStreams[] = [];

/**
 * `npm run up -- --json` as a child process (as test/console/cli.test.ts runs it), on the test's own
 * data folder, with its own TMPDIR so the test sees whatever it leaves in "the system temp dir".
 */
async function startUp(dataDir: string, tmpDir: string): Promise<UpProcess> {
  const child = spawn(
    NODE,
    ['--import', './scripts/register-ts.mjs', 'local/cli/up.ts', '--json', '--data-dir', dataDir],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        TMPDIR: tmpDir,
        // Test-only: a loopback callback receiver.
        REELAY_FUNCTION_ENV: JSON.stringify({
          CALLBACK_TEST_ALLOW_LOOPBACK_HTTP: 'true',
          COMPOSE_LEASE_MS: String(COMPOSE_LEASE_MS),
        }),
      },
    },
  );
  started.push(child);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const ready = await new Promise<Ready>((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', (line) => ok(JSON.parse(line) as Ready));
    child.once('exit', (code) =>
      fail(new Error(`npm run up exited (${code}) before it was ready:\n${stderr}`)),
    );
  });
  return { child, ready, stderr: () => stderr };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((ok) => child.once('exit', (code) => ok(code)));
}

async function api(
  ready: Ready,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${ready.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${ready.token}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
}

interface JobView {
  status: string;
  costUsd?: number;
}

async function until<T>(
  what: string,
  look: () => Promise<T | undefined>,
  timeoutMs = 240_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await look();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * The cloud has nothing left to do: every queue of the stage is empty (nothing visible, delayed or in
 * flight) and no execution is running, twice in a row. Only then can a count be final.
 */
async function atRest(ready: Ready): Promise<void> {
  const config = { region: ready.region, credentials: ready.credentials };
  const sqs = new SQSClient({ ...config, endpoint: ready.endpoints.sqs });
  const sfn = new SFNClient({ ...config, endpoint: ready.endpoints.stepfunctions });
  const busy = async () => {
    const { QueueUrls = [] } = await sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: `reelay-${ready.stage}` }),
    );
    for (const QueueUrl of QueueUrls) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }),
      );
      const waiting =
        Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible) +
        Number(Attributes.ApproximateNumberOfMessagesDelayed);
      if (waiting > 0) return true;
    }
    const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
    for (const { stateMachineArn } of stateMachines) {
      const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
      if ((running.executions ?? []).length > 0) return true;
    }
    return false;
  };
  let quietLooks = 0;
  await until('the cloud to come to rest', async () => {
    quietLooks = (await busy()) ? 0 : quietLooks + 1;
    return quietLooks >= 2 ? true : undefined;
  });
  sqs.destroy();
  sfn.destroy();
}

/** Every consumer queue of the stage (not the dead-letter queues) to VISIBILITY_SEC, through the SQS API. */
async function shortenVisibility(ready: Ready): Promise<void> {
  const sqs = new SQSClient({
    region: ready.region,
    endpoint: ready.endpoints.sqs,
    credentials: ready.credentials,
  });
  const { QueueUrls = [] } = await sqs.send(
    new ListQueuesCommand({ QueueNamePrefix: `reelay-${ready.stage}` }),
  );
  for (const QueueUrl of QueueUrls.filter((url) => !url.endsWith('-dlq'))) {
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: String(VISIBILITY_SEC) } }),
    );
  }
  sqs.destroy();
}

/** The composer's record of the job's composition (reelay-composer-<stage>, JOB#<id> / COMPOSITION). */
async function composition(ready: Ready, jobId: string): Promise<Record<string, unknown> | undefined> {
  const doc = documentClient(ready);
  const { Item } = await doc.send(
    new GetCommand({
      TableName: `reelay-composer-${ready.stage}`,
      Key: { pk: `JOB#${jobId}`, sk: 'COMPOSITION' },
      ConsistentRead: true,
    }),
  );
  doc.destroy();
  return Item;
}

function documentClient(ready: Ready): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: ready.region,
      endpoint: ready.endpoints.dynamodb,
      credentials: ready.credentials,
    }),
  );
}

/** The day's quota units the user has used (the api's counter, USER#<id> / QUOTA#<day>). */
async function quotaUsed(ready: Ready): Promise<unknown> {
  const doc = documentClient(ready);
  const day = new Date().toISOString().slice(0, 10);
  const { Item } = await doc.send(
    new GetCommand({
      TableName: `reelay-api-${ready.stage}`,
      Key: { pk: `USER#${USER}`, sk: `QUOTA#${day}` },
      ConsistentRead: true,
    }),
  );
  doc.destroy();
  return Item?.used;
}

describe('the embedded cloud killed mid-job (kill -9) and restarted on its data folder', () => {
  let dataDir: string;
  let tmpDir: string;
  let receiver: CallbackReceiver;

  beforeAll(async () => {
    const parent = join(ROOT, '.reelay');
    mkdirSync(parent, { recursive: true });
    dataDir = mkdtempSync(join(parent, 'test-restart-'));
    tmpDir = join(dataDir, 'system-tmp');
    mkdirSync(tmpDir);
    receiver = await startCallbackReceiver();
  });

  afterAll(async () => {
    for (const child of started.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGKILL');
      await exited(child);
    }
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('finishes the job exactly once: one video, one charge per prediction, one callback; quota and Idempotency-Key hold', async () => {
    // Prepare: a job of one short scene, submitted with an Idempotency-Key and a callback registered.
    const first = await startUp(dataDir, tmpDir);
    await shortenVisibility(first.ready);
    expect((await api(first.ready, 'PUT', '/callback', { url: receiver.url })).status).toBe(200);
    const spec = {
      prompt: 'a lighthouse at dusk',
      scenes: 1,
      secondsPerScene: 1,
      resolution: '480p',
      music: false,
      narration: false,
    };
    const key = { 'idempotency-key': 'restart-test-key-1' };
    const submitted = await api(first.ready, 'POST', '/jobs', spec, key);
    expect(submitted.status).toBe(202);
    const jobId = String(submitted.json.jobId);
    const usedBefore = await quotaUsed(first.ready);

    // Act: kill -9 while a composer holds the composition's lease (the video is being composed),
    // then start again on the same data folder.
    const atKill = await until(
      'a composer to take the composition lease',
      async () => {
        const item = await composition(first.ready, jobId);
        return item?.leaseOwner ? item : undefined;
      },
      120_000,
      25,
    );
    first.child.kill('SIGKILL');
    await exited(first.child);
    const second = await startUp(dataDir, tmpDir);
    await shortenVisibility(second.ready);
    const job = await until('the job to end', async () => {
      const view = await api(second.ready, 'GET', `/jobs/${jobId}`);
      const status = (view.json as unknown as JobView | undefined)?.status;
      return view.status === 200 && (status === 'COMPLETED' || status === 'FAILED')
        ? (view.json as unknown as JobView)
        : undefined;
    });
    await until('the job.completed callback', async () =>
      receiver.received.some((c) => c.jobId === jobId && c.type === 'job.completed') ? true : undefined,
    );
    await atRest(second.ready);

    // Assess: it was killed mid-composition, and the job completed after the restart.
    expect(atKill.publishedAt).toBeUndefined();
    expect(job.status).toBe('COMPLETED');
    // One video.
    const s3 = new S3Client({
      region: second.ready.region,
      endpoint: second.ready.endpoints.s3,
      forcePathStyle: true,
      credentials: second.ready.credentials,
    });
    const bucket = `reelay-media-${second.ready.stage}-000000000000`;
    const outputs = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `jobs/${jobId}/` }));
    expect((outputs.Contents ?? []).filter((o) => o.Key?.endsWith('.mp4')).map((o) => o.Key)).toEqual([
      `jobs/${jobId}/final.mp4`,
    ]);
    // One charge per prediction: the user's day counts the job's predictions once, at the job's cost.
    const doc = documentClient(second.ready);
    const jobsTable = `reelay-jobs-${second.ready.stage}`;
    const charges = await doc.send(
      new QueryCommand({
        TableName: jobsTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :usage)',
        ExpressionAttributeValues: { ':pk': `JOB#${jobId}`, ':usage': 'USAGE#' },
      }),
    );
    const day = new Date().toISOString().slice(0, 10);
    const usage = await readUserDailyUsage(doc, jobsTable, USER, day);
    expect(charges.Items?.length).toBeGreaterThan(0);
    expect(usage.predictions).toBe(charges.Items?.length);
    expect(usage.costUsd).toBeCloseTo(job.costUsd ?? Number.NaN, 6);
    // One callback.
    expect(receiver.received.filter((c) => c.jobId === jobId)).toEqual([
      expect.objectContaining({ type: 'job.completed', jobId }),
    ]);
    // The day's quota still counts the job (a completed job keeps its unit), and the Idempotency-Key
    // still names the job: its replay is the same job, not a new one.
    expect(usedBefore).toBe(1);
    expect(await quotaUsed(second.ready)).toBe(1);
    const replayed = await api(second.ready, 'POST', '/jobs', spec, key);
    expect(replayed.status).toBe(202);
    expect(replayed.json.jobId).toBe(jobId);
    expect(await quotaUsed(second.ready)).toBe(1);

    // Nothing left in the temp dir once the cloud has stopped, but tsx's compile cache (tsx-<uid>):
    // the TypeScript loader `npm run up` runs under keeps it there for every later run, by design.
    second.child.kill('SIGINT');
    expect(await exited(second.child)).toBe(0);
    expect(readdirSync(tmpDir).filter((name) => !/^tsx-\d+$/.test(name))).toEqual([]);
    s3.destroy();
    doc.destroy();
  }, 900_000);
});
