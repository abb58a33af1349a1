import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';

const ROOT = resolve(__dirname, '../..');
const NODE = resolve(ROOT, 'node_modules/.bin/node');

/** Each run gets its own data folder: the stage's .reelay/data/local/ belongs to the developer. */
mkdirSync(join(ROOT, '.reelay'), { recursive: true });
const dataDir = () => mkdtempSync(join(ROOT, '.reelay', 'test-cli-'));
const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs a root npm script's command as npm would, with pipes (no TTY) for stdout and stderr. */
function npmRun(file: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn(NODE, ['scripts/bootstrap.mjs', 'run', file, ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: undefined },
  });
}

function collect(child: ChildProcessWithoutNullStreams) {
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => {
    out.stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    out.stderr += c.toString();
  });
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  return { out, exited };
}

/** Processes a test started and must stop even when an assertion fails first (else jest never exits). */
const started: ChildProcessWithoutNullStreams[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGINT');
    await Promise.race([exited, new Promise((ok) => setTimeout(ok, 60_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}, 120_000);

describe('the CLI without a terminal', () => {
  test('npm start prints plain progress lines without colour and a --json summary', async () => {
    const run = collect(
      npmRun('local/cli/start.ts', [
        'a paper plane over a city',
        '--scenes',
        '2',
        '--seconds',
        '1',
        '--resolution',
        '480p',
        '--no-music',
        '--no-narration',
        '--json',
        '--data-dir',
        dataDirs[dataDirs.push(dataDir()) - 1] as string,
      ]),
    );
    const code = await run.exited;

    expect(code).toBe(0);
    const lines = run.out.stderr.split('\n');
    expect(lines).toEqual(expect.arrayContaining(['job requested', 'scene 1/2 ready', 'scene 2/2 ready']));
    expect(run.out.stderr).not.toContain('\u001b[');
    const summary = JSON.parse(run.out.stdout.trim().split('\n').pop() ?? '{}');
    expect(summary).toMatchObject({ status: 'COMPLETED', scenes: 2, height: 480 });
    expect(typeof summary.costUsd).toBe('number');
    expect(run.out.stderr).toContain(`cost $${summary.costUsd.toFixed(4)}`);
    expect(existsSync(summary.video)).toBe(true);
  }, 300_000);

  test('npm run up --json prints its endpoints once ready, serves the console and API, and stops on SIGINT', async () => {
    // Straight through tsx, as the bootstrap runs it: the SIGINT then reaches up.ts itself, as Ctrl-C does.
    const upDataDir = dataDir();
    dataDirs.push(upDataDir);
    const child = spawn(
      NODE,
      ['--import', './scripts/register-ts.mjs', 'local/cli/up.ts', '--json', '--data-dir', upDataDir],
      { cwd: ROOT },
    );
    started.push(child);
    const run = collect(child);
    const first = await new Promise<string>((ok) => {
      createInterface({ input: child.stdout }).once('line', ok);
    });
    const ready = JSON.parse(first);
    expect(Object.keys(ready).sort()).toEqual([
      'api',
      'console',
      'credentials',
      'endpoints',
      'region',
      'stage',
      'token',
    ]);
    // The operator credentials it announces work with any SDK pointed at its endpoints, and only they do.
    const s3 = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
      new S3Client({ region: ready.region, endpoint: ready.endpoints.s3, forcePathStyle: true, credentials });
    const buckets = await s3(ready.credentials).send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.length).toBeGreaterThan(0);
    await expect(
      s3({ accessKeyId: ready.credentials.accessKeyId, secretAccessKey: 'not-the-secret' }).send(
        new ListBucketsCommand({}),
      ),
    ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    expect(Object.keys(ready.endpoints).sort()).toEqual(
      ['dynamodb', 'events', 'replicate', 's3', 'sqs', 'stepfunctions'].sort(),
    );
    expect(ready.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.console).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const page = await fetch(ready.console);
    expect(await page.text()).toContain('<title>Reelay console</title>');
    const jobs = await fetch(`${ready.api}/jobs`, { headers: { authorization: `Bearer ${ready.token}` } });
    expect(jobs.status).toBe(200);

    const empty = collect(npmRun('local/cli/jobs.ts', []));
    expect(await empty.exited).toBe(0);
    expect(empty.out.stdout).toBe('no jobs\n');

    // A job of the dev user, once the ledger has it: listed, and shown with its record and timeline.
    const auth = { authorization: `Bearer ${ready.token}`, 'content-type': 'application/json' };
    const submitted = await fetch(`${ready.api}/jobs`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        prompt: 'a kettle',
        scenes: 1,
        secondsPerScene: 1,
        resolution: '480p',
        music: false,
        narration: false,
      }),
    });
    const { jobId } = (await submitted.json()) as { jobId: string };
    const giveUpAt = Date.now() + 240_000;
    let timeline: Array<{ detailType: string }> = [];
    while (!timeline.some((t) => t.detailType === 'JobRequested') && Date.now() < giveUpAt) {
      await new Promise((r) => setTimeout(r, 500));
      const res = await fetch(`${ready.api}/jobs/${jobId}`, { headers: auth });
      timeline = ((await res.json()) as { timeline: typeof timeline }).timeline;
    }
    const list = collect(npmRun('local/cli/jobs.ts', []));
    const one = collect(npmRun('local/cli/jobs.ts', [jobId]));

    expect(submitted.status).toBe(202);
    expect(await list.exited).toBe(0);
    expect(list.out.stdout).toMatch(new RegExp(`^${jobId}  \\w+ .* prompt  a kettle\n$`));
    expect(await one.exited).toBe(0);
    expect(one.out.stdout).toMatch(new RegExp(`^job ${jobId}  \\w+`));
    expect(one.out.stdout).toContain('\ntimeline\n');
    expect(one.out.stdout).toMatch(/^ {2}\S+ {2}JobRequested$/m);

    child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  }, 600_000);
});
