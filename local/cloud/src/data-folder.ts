import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../..');
const LOCK_FILE = 'cloud.lock';

/**
 * Where one embedded cloud keeps everything it stores, so a restart (or a crash) loses nothing:
 * `<repo>/.reelay/data/<stage>/` for `npm run up` and `npm start`, a throwaway `.reelay/test-*`
 * folder for tests. Nothing the cloud runs writes to the system temp dir.
 */
export interface DataFolder {
  root: string;
  /** s3rver's directory: the buckets and their objects. */
  s3: string;
  /** DynamoDB Local's -dbPath (its shared-local-instance.db). */
  dynamodb: string;
  /** The SQS / EventBridge / Step Functions emulator's SQLite file. */
  emulatorState: string;
  /** The local model server's work folder (renders, outputs, uploaded files). */
  models: string;
  /** The functions' TMPDIR (Lambda's /tmp). */
  tmp: string;
  /** False for a throwaway folder: what is only worth keeping for a restart may stay in memory. */
  durable: boolean;
  /** Gives the folder up (and removes it when it was a throwaway one). */
  release(): void;
}

/** Another live process owns the data folder: two clouds on one folder would corrupt it. */
export class DataFolderLockedError extends Error {
  readonly retryable = false;
  constructor(
    readonly root: string,
    readonly pid: number,
  ) {
    super(
      `The data folder ${root} is in use by another local cloud (pid ${pid}). Stop that process, or use another stage.`,
    );
    this.name = 'DataFolderLockedError';
  }
}

/** The stage's data folder of `npm run up` / `npm start`. */
export function stageDataFolderPath(stage: string): string {
  return join(REPO_ROOT, '.reelay', 'data', stage);
}

/**
 * Opens (creating it if need be) a data folder and takes its lock. `fresh` empties it first (after
 * the lock is taken, so a folder a live cloud owns is never wiped).
 */
export function openDataFolder(
  root: string,
  options: { fresh?: boolean; throwaway?: boolean } = {},
): DataFolder {
  mkdirSync(root, { recursive: true });
  takeLock(root);
  if (options.fresh) {
    for (const entry of readdirSync(root)) {
      if (entry !== LOCK_FILE) rmSync(join(root, entry), { recursive: true, force: true });
    }
  }
  const folder: DataFolder = {
    root,
    s3: join(root, 's3'),
    dynamodb: join(root, 'dynamodb'),
    emulatorState: join(root, 'aws-json.sqlite'),
    models: join(root, 'models'),
    tmp: join(root, 'tmp'),
    durable: !options.throwaway,
    release: () => {
      if (options.throwaway) rmSync(root, { recursive: true, force: true });
      else releaseLock(root);
    },
  };
  // tmp is scratch, like Lambda's /tmp: what a killed run left there is of no use to the next.
  rmSync(folder.tmp, { recursive: true, force: true });
  for (const dir of [folder.s3, folder.dynamodb, folder.models, folder.tmp])
    mkdirSync(dir, { recursive: true });
  return folder;
}

/** A data folder of its own for one test run (or one cloud started without a folder), removed on release. */
export function throwawayDataFolder(label = 'cloud'): DataFolder {
  const parent = join(REPO_ROOT, '.reelay');
  mkdirSync(parent, { recursive: true });
  return openDataFolder(mkdtempSync(join(parent, `test-${label}-`)), { throwaway: true });
}

/**
 * The lock is a file holding the owner's pid, created with O_EXCL. A lock whose pid is no longer
 * running (the owner was killed) is stale and taken over; a live one is refused, naming the pid.
 */
function takeLock(root: string): void {
  const file = join(root, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = lockOwner(file);
    if (owner !== undefined && owner !== process.pid && isRunning(owner))
      throw new DataFolderLockedError(root, owner);
    // Stale (or ours from a cloud this process did not close): take it over.
    rmSync(file, { force: true });
  }
  const owner = lockOwner(file);
  throw new DataFolderLockedError(root, owner ?? -1);
}

function releaseLock(root: string): void {
  const file = join(root, LOCK_FILE);
  if (lockOwner(file) !== process.pid) return;
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function lockOwner(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
