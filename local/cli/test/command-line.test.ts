import {
  closestSpelling,
  editDistance,
  helpText,
  parseCommandLine,
  UsageError,
  wantsHelp,
} from '../command-line';
import { START_COMMAND, START_HELP } from '../start-options';

describe('npm start -- --help', () => {
  it('lists every option with a one-line description, and its default where it has one', () => {
    const lines = START_HELP.split('\n');

    for (const option of START_COMMAND.options) {
      const flag = `--${option.negatable ? 'no-' : ''}${option.name}`;
      const line = lines.find((l) => l.trimStart().startsWith(flag));
      expect(line).toBeDefined();
      expect(line).toContain(option.description);
      if (option.default) expect(line).toContain(`default: ${option.default}`);
    }
    expect(lines.some((l) => l.trimStart().startsWith('-h, --help'))).toBe(true);
  });

  it("shows the job spec's own defaults and ranges (scenes 1 to 12, default 5; 720p)", () => {
    expect(START_HELP).toMatch(/--scenes N +visual scenes to plan \(prompt and ad\), 1 to 12 \(default: 5\)/);
    expect(START_HELP).toMatch(/--resolution R +picture height: 480p, 720p, 1080p \(default: 720p\)/);
    expect(START_HELP).toMatch(/--no-music +no music bed \(default: music on\)/);
  });

  it('gives an example command for every recipe', () => {
    for (const recipe of ['prompt', 'ad', 'story', 'merge', 'soundtrack']) {
      const example = START_HELP.split('\n').find(
        (l) =>
          l.includes('npm start --') &&
          (recipe === 'prompt' ? !l.includes('--recipe') : l.includes(`--recipe ${recipe}`)),
      );
      expect(example).toBeDefined();
    }
  });
});

describe('wantsHelp', () => {
  it('sees --help and -h among other arguments, but not words of a prompt after --', () => {
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['a fox', '-h'])).toBe(true);
    expect(wantsHelp(['--', '-h'])).toBe(false);
    expect(wantsHelp(['a fox'])).toBe(false);
  });
});

describe('did you mean', () => {
  it('suggests the known option a misspelt one is closest to, swapped letters included', () => {
    expect(() => parseCommandLine(START_COMMAND, ['a fox', '--secnes', '3'])).toThrow(
      new UsageError('unknown option --secnes: did you mean --scenes?'),
    );
    expect(() => parseCommandLine(START_COMMAND, ['--no-narations'])).toThrow(
      /did you mean --no-narration\?/,
    );
    expect(() => parseCommandLine(START_COMMAND, ['--uplaod', 'a.png'])).toThrow(/did you mean --upload\?/);
  });

  it('suggests nothing for a word far from every option', () => {
    expect(() => parseCommandLine(START_COMMAND, ['--colour'])).toThrow(
      new UsageError('unknown option --colour'),
    );
    expect(closestSpelling('-x', ['-h'])).toBeUndefined();
  });

  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('secnes', 'scenes')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('parse errors in plain words', () => {
  it('names the option that wants a value, and refuses a value for a flag', () => {
    expect(() => parseCommandLine(START_COMMAND, ['a fox', '--scenes'])).toThrow(
      new UsageError('--scenes needs a value (N)'),
    );
    expect(() => parseCommandLine(START_COMMAND, ['a fox', '--json=yes'])).toThrow(
      new UsageError('--json takes no value'),
    );
  });

  it('refuses a positional argument where a command takes none', () => {
    const command = { usage: 'x', summary: 'x', options: [] };
    expect(() => parseCommandLine(command, ['stray'])).toThrow(
      new UsageError('unexpected argument "stray": this command takes options only'),
    );
    expect(helpText(command)).toContain('-h, --help');
  });
});
