import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataFolderLockedError, openDataFolder, throwawayDataFolder } from '../src/data-folder';

const REELAY_DIR = resolve(__dirname, '../../../.reelay');

describe('a data folder is owned by one cloud at a time', () => {
  let root: string;

  beforeEach(() => {
    mkdirSync(REELAY_DIR, { recursive: true });
    root = mkdtempSync(join(REELAY_DIR, 'test-data-folder-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a folder whose lock names a live process, naming its pid', () => {
    // Prepare: the lock of a live process (this test's parent).
    writeFileSync(join(root, 'cloud.lock'), String(process.ppid));

    // Act / Assess
    expect(() => openDataFolder(root)).toThrow(DataFolderLockedError);
    expect(() => openDataFolder(root)).toThrow(`pid ${process.ppid}`);
  });

  it('takes over the lock of a process that is gone', () => {
    // Prepare: the pid of a process that has exited.
    const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    writeFileSync(join(root, 'cloud.lock'), String(gone));

    // Act
    const folder = openDataFolder(root);

    // Assess
    expect(readFileSync(join(root, 'cloud.lock'), 'utf8')).toBe(String(process.pid));
    folder.release();
    expect(existsSync(join(root, 'cloud.lock'))).toBe(false);
  });

  it('keeps what the folder holds, and fresh empties it', () => {
    const first = openDataFolder(root);
    writeFileSync(join(first.s3, 'object'), 'kept');
    first.release();

    const again = openDataFolder(root);
    expect(readFileSync(join(again.s3, 'object'), 'utf8')).toBe('kept');
    again.release();

    const fresh = openDataFolder(root, { fresh: true });
    expect(existsSync(join(fresh.s3, 'object'))).toBe(false);
    fresh.release();
  });

  it('a throwaway folder lives under .reelay/ and is removed on release', () => {
    const folder = throwawayDataFolder('unit');
    expect(folder.root.startsWith(join(REELAY_DIR, 'test-unit-'))).toBe(true);
    folder.release();
    expect(existsSync(folder.root)).toBe(false);
  });
});
