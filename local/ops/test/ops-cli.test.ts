import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const NODE = resolve(ROOT, 'node_modules/.bin/node');

/** Runs an ops CLI as its npm script does. Only command lines that end before any cloud call. */
function run(file: string, args: string[]) {
  const result = spawnSync(NODE, ['--import', './scripts/register-ts.mjs', file, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run replay and npm run redrive on the command line', () => {
  test.each([
    [
      'local/ops/replay.ts',
      /^usage: npm run replay -- --from TIME --to TIME \[options\]\n[\s\S]*--stage S[\s\S]*--aws/,
    ],
    ['local/ops/redrive.ts', /^usage: npm run redrive -- <queue> \[options\][\s\S]*--job ID[\s\S]*--aws/],
  ])('%s --help lists every option and exits 0', (file, help) => {
    const { code, stdout } = run(file, ['--help']);

    expect(code).toBe(0);
    expect(stdout).toMatch(help);
    expect(stdout).toMatch(/running `npm run up`/);
  });

  test('a misspelt option is a usage error with "did you mean", exit 2', () => {
    const { code, stderr } = run('local/ops/replay.ts', ['--form', '-1h', '--to', '-1m']);

    expect(code).toBe(2);
    expect(stderr).toBe(
      'error: unknown option --form: did you mean --from?\nsee every option: npm run replay -- --help\n',
    );
  });
});
