import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../command-line';
import { checkLocalFiles } from '../local-files';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reelay-cli-files-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The UsageError checkLocalFiles throws, as its message. */
function refusal(options: { uploads: string[]; out?: string }): string {
  try {
    checkLocalFiles(options);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error('accepted');
}

describe('local files are checked before the cloud starts', () => {
  it('accepts a readable picture and an .mp4 --out in a folder still to be made', () => {
    const picture = join(dir, 'beach.png');
    writeFileSync(picture, 'not empty');

    expect(() => checkLocalFiles({ uploads: [picture], out: join(dir, 'new', 'fox.mp4') })).not.toThrow();
  });

  it('refuses a missing upload, naming the option and the file', () => {
    const missing = join(dir, 'missing.mp4');
    expect(refusal({ uploads: [missing] })).toBe(`--upload ${missing}: no such file`);
  });

  it('refuses a folder, an empty file and an unsupported type', () => {
    const folder = join(dir, 'clips.mp4');
    mkdirSync(folder);
    const empty = join(dir, 'empty.jpg');
    writeFileSync(empty, '');
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello');

    expect(refusal({ uploads: [folder] })).toBe(
      `--upload ${folder}: is a folder; give the picture or clip inside it`,
    );
    expect(refusal({ uploads: [empty] })).toBe(`--upload ${empty}: is empty`);
    expect(refusal({ uploads: [text] })).toMatch(
      new RegExp(`^--upload ${text}: a \\.txt file cannot be uploaded; use \\.png .* \\.mp4`),
    );
  });

  it('refuses a file it cannot open for reading', () => {
    // A FIFO with no writer cannot be opened without blocking, so the check uses a file made unreadable;
    // root reads everything, so this case only runs as another user.
    if (process.getuid?.() === 0) return;
    const locked = join(dir, 'locked.png');
    writeFileSync(locked, 'x');
    chmodSync(locked, 0o000);
    expect(refusal({ uploads: [locked] })).toMatch(/: cannot be read \(EACCES\)$/);
  });

  it('refuses an --out that is a folder, not an .mp4, or under a file', () => {
    const file = join(dir, 'file.mp4');
    writeFileSync(file, 'x');

    expect(refusal({ uploads: [], out: dir })).toMatch(new RegExp(`^--out ${dir}: is a folder`));
    expect(refusal({ uploads: [], out: join(dir, 'fox.mov') })).toMatch(/must end in \.mp4$/);
    expect(refusal({ uploads: [], out: join(file, 'fox.mp4') })).toBe(
      `--out ${join(file, 'fox.mp4')}: ${file} is a file, not a folder`,
    );
  });
});
