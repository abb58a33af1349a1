import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const NODE = resolve(ROOT, 'node_modules/.bin/node');

/**
 * Runs a CLI entry point as the npm scripts do (through the TypeScript loader), in a pipe. None of
 * these command lines may start a cloud: each must end on its own, before any start-up.
 */
function run(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(NODE, ['--import', './scripts/register-ts.mjs', file, ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: undefined, NO_COLOR: '1' },
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => {
    out.stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    out.stderr += c.toString();
  });
  return new Promise((ok) => child.on('close', (code) => ok({ code, ...out })));
}

let dataDir: string;
beforeAll(() => {
  // A data folder nothing else uses: were a cloud to start by mistake, it would not take the stage's.
  dataDir = mkdtempSync(join(tmpdir(), 'reelay-cli-exit-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start, npm run up and npm run jobs on the command line', () => {
  test.each([
    ['local/cli/start.ts', '--help', /^usage: npm start -- "<prompt>" \[options\]\n/],
    ['local/cli/start.ts', '-h', /^usage: npm start --/],
    ['local/cli/up.ts', '--help', /^usage: npm run up \[-- options\]\n[\s\S]*--data-dir DIR/],
    ['local/cli/jobs.ts', '--help', /^usage: npm run jobs \[-- options\] \[jobId\]\n[\s\S]*--status S/],
  ])(
    '%s %s prints its help on stdout and exits 0',
    async (file, flag, help) => {
      const result = await run(file, [flag, '--data-dir', dataDir]);

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(help);
      expect(result.stderr).toBe('');
    },
    60_000,
  );

  test('a misspelt option exits 2 with "did you mean", before any start-up', async () => {
    const result = await run('local/cli/start.ts', ['a fox', '--secnes', '3', '--data-dir', dataDir]);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: unknown option --secnes: did you mean --scenes?\nsee every option and an example per recipe: npm start -- --help\n',
    );
  }, 60_000);

  test('a missing --upload file exits 2 naming it, before the cloud starts', async () => {
    const missing = join(dataDir, 'missing.mp4');

    const result = await run('local/cli/start.ts', ['a fox', '--upload', missing, '--data-dir', dataDir]);

    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`error: --upload ${missing}: no such file`);
    expect(result.stderr).not.toMatch(/starting|ready in/);
  }, 60_000);

  test('npm run up and npm run jobs exit 2 on a misspelt option', async () => {
    const up = await run('local/cli/up.ts', ['--fersh', '--data-dir', dataDir]);
    const jobs = await run('local/cli/jobs.ts', ['--limt', '3']);

    expect(up.code).toBe(2);
    expect(up.stderr).toContain('error: unknown option --fersh: did you mean --fresh?');
    expect(jobs.code).toBe(2);
    expect(jobs.stderr).toContain('error: unknown option --limt: did you mean --limit?');
  }, 60_000);
});
