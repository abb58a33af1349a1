import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export class LockTimeoutError extends Error {
  readonly retryable = true;
  constructor(lockPath: string, waitedMs: number) {
    super(`Gave up waiting ${waitedMs} ms for the lock ${lockPath}; remove it if no packaging is running`);
    this.name = 'LockTimeoutError';
  }
}

export interface DirectoryLockOptions {
  /** How long to wait for another holder before giving up. */
  timeoutMs?: number;
  /** A lock older than this is taken over even if its owner looks alive (a hung process). */
  staleAfterMs?: number;
  pollMs?: number;
}

interface LockOwner {
  pid: number;
  acquiredAt: number;
}

const OWNER_FILE = 'owner.json';

const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const readOwner = async (lockPath: string): Promise<LockOwner | undefined> => {
  try {
    const owner = JSON.parse(await readFile(join(lockPath, OWNER_FILE), 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.acquiredAt === 'number'
      ? { pid: owner.pid, acquiredAt: owner.acquiredAt }
      : undefined;
  } catch {
    return undefined;
  }
};

/** A lock left by a crashed process, or one held far longer than any packaging takes. */
const isStale = async (
  owner: LockOwner | undefined,
  lockPath: string,
  staleAfterMs: number,
): Promise<boolean> => {
  if (owner) return !isProcessAlive(owner.pid) || Date.now() - owner.acquiredAt > staleAfterMs;
  // mkdir and the owner file are two steps: a fresh lock without an owner is being taken.
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs > 30_000;
  } catch {
    return false;
  }
};

const sameOwner = (a: LockOwner | undefined, b: LockOwner | undefined): boolean =>
  a?.pid === b?.pid && a?.acquiredAt === b?.acquiredAt;

/**
 * Moves a stale lock out of the way. Renaming first and checking whose lock was moved keeps
 * two waiters from both breaking the same stale lock and then one breaking the other's.
 */
const breakStaleLock = async (lockPath: string, staleOwner: LockOwner | undefined): Promise<void> => {
  const moved = `${lockPath}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(lockPath, moved);
  } catch {
    return; // someone else broke it first
  }
  if (sameOwner(await readOwner(moved), staleOwner)) {
    await rm(moved, { recursive: true, force: true });
    return;
  }
  // We moved a lock taken in the meantime: give it back.
  await rename(moved, lockPath).catch(() => rm(moved, { recursive: true, force: true }));
};

/**
 * Runs `work` while holding a lock directory. mkdir is atomic on every local file system,
 * so two processes (two jest workers, the CLI and a test) never hold it at once.
 */
export const withDirectoryLock = async <T>(
  lockPath: string,
  work: () => Promise<T>,
  { timeoutMs = 10 * 60_000, staleAfterMs = 15 * 60_000, pollMs = 150 }: DirectoryLockOptions = {},
): Promise<T> => {
  await mkdir(dirname(lockPath), { recursive: true });
  const startedAt = Date.now();
  for (;;) {
    try {
      await mkdir(lockPath);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(lockPath);
    if (await isStale(owner, lockPath, staleAfterMs)) {
      await breakStaleLock(lockPath, owner);
      continue;
    }
    if (Date.now() - startedAt > timeoutMs) throw new LockTimeoutError(lockPath, Date.now() - startedAt);
    await sleep(pollMs);
  }
  const owner: LockOwner = { pid: process.pid, acquiredAt: Date.now() };
  await writeFile(join(lockPath, OWNER_FILE), JSON.stringify(owner));
  try {
    return await work();
  } finally {
    await rm(lockPath, { recursive: true, force: true });
  }
};
