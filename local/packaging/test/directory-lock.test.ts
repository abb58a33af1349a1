import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockTimeoutError, withDirectoryLock } from '../src/directory-lock';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'reelay-lock-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('withDirectoryLock', () => {
  test('never lets two holders work at the same time', async () => {
    // Prepare
    const lock = join(root, 'locks', 'package-api');
    let holders = 0;
    let mostAtOnce = 0;
    const work = async () => {
      holders += 1;
      mostAtOnce = Math.max(mostAtOnce, holders);
      await sleep(20);
      holders -= 1;
    };

    // Act
    await Promise.all(Array.from({ length: 5 }, () => withDirectoryLock(lock, work, { pollMs: 5 })));

    // Assess
    expect(mostAtOnce).toBe(1);
  });

  test('releases the lock when the work throws', async () => {
    const lock = join(root, 'package-ledger');
    await expect(
      withDirectoryLock(lock, async () => {
        throw new Error('packaging failed');
      }),
    ).rejects.toThrow('packaging failed');

    await expect(withDirectoryLock(lock, async () => 'next holder', { timeoutMs: 500 })).resolves.toBe(
      'next holder',
    );
  });

  test('takes over a lock left by a process that no longer exists', async () => {
    // Prepare: a pid far above any pid_max, so no process has it.
    const lock = join(root, 'package-generator');
    await mkdir(lock);
    await writeFile(join(lock, 'owner.json'), JSON.stringify({ pid: 2 ** 30, acquiredAt: Date.now() }));

    // Act & Assess
    await expect(withDirectoryLock(lock, async () => 'taken over', { timeoutMs: 1_000 })).resolves.toBe(
      'taken over',
    );
  });

  test('gives up on a live holder after the timeout', async () => {
    const lock = join(root, 'package-composer');
    await mkdir(lock);
    await writeFile(join(lock, 'owner.json'), JSON.stringify({ pid: process.pid, acquiredAt: Date.now() }));

    await expect(
      withDirectoryLock(lock, async () => 'never', { timeoutMs: 100, pollMs: 10 }),
    ).rejects.toBeInstanceOf(LockTimeoutError);
  });
});
