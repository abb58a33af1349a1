import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStartOptions, UsageError } from '../start-options';

describe('npm start -- --recipe story --script FILE --pause S', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'story-script-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('puts one narration line per upload into the spec, an empty line left for the planner', () => {
    // Prepare
    const script = join(dir, 'script.txt');
    writeFileSync(script, 'Trang một.\r\n\nTrang ba.\n');

    // Act
    const options = parseStartOptions([
      ...['--recipe', 'story', '--upload', 'p1.png', '--upload', 'p2.png', '--upload', 'p3.png'],
      ...['--script', script, '--pause', '0.25'],
    ]);

    // Assess
    expect(options.spec.script).toEqual(['Trang một.', '', 'Trang ba.']);
    expect(options.spec.narrationPauseSec).toBe(0.25);
  });

  it('refuses a script whose lines do not match the uploads, a missing file and a bad pause, in plain words', () => {
    const script = join(dir, 'two.txt');
    writeFileSync(script, 'one\ntwo\n');
    const story = ['--recipe', 'story', '--upload', 'p1.png'];

    expect(() => parseStartOptions([...story, '--script', script])).toThrow(
      'the script has 2 lines for 1 uploads',
    );
    expect(() => parseStartOptions([...story, '--script', join(dir, 'none.txt')])).toThrow(
      /--script: cannot read .*none.txt \(ENOENT\)/,
    );
    expect(() => parseStartOptions([...story, '--pause', 'long'])).toThrow(UsageError);
    expect(() => parseStartOptions([...story, '--pause', '9'])).toThrow(UsageError);
  });
});
