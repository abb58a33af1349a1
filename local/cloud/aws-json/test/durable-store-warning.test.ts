import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');

describe('the durable store', () => {
  it("opens without Node's SQLite ExperimentalWarning on stderr (it broke into the CLI's progress line)", () => {
    // Prepare: a process of its own, since Node warns only on the first load of node:sqlite.
    const dir = mkdtempSync(join(ROOT, '.reelay', 'test-durable-warning-'));
    const store = join(ROOT, 'local/cloud/aws-json/src/shared/durable-store.ts');
    const script = `const { DurableStore } = require(${JSON.stringify(store)});
new DurableStore(${JSON.stringify(join(dir, 'state.sqlite'))}).close();
process.stdout.write('opened');`;
    try {
      // Act
      const run = spawnSync(
        join(ROOT, 'node_modules', '.bin', 'node'),
        ['--import', join(ROOT, 'scripts', 'register-ts.mjs'), '-e', script],
        { cwd: ROOT, encoding: 'utf8' },
      );
      // Assess
      expect(run.stdout).toBe('opened');
      expect(run.stderr).not.toMatch(/ExperimentalWarning|SQLite/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
