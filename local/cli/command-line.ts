/**
 * One description of a command's options gives its `--help` text, its `node:util` parseArgs
 * configuration and its usage errors, so the three never disagree (`npm start`, `npm run up`,
 * `npm run jobs`).
 */
import { parseArgs } from 'node:util';

/** A wrong command line: the commands print its message and exit 2. */
export class UsageError extends Error {}

export interface OptionSpec {
  /** Without the dashes: `scenes`, `data-dir`. */
  name: string;
  type: 'string' | 'boolean';
  /** The value's placeholder in the help text: `N`, `FILE`. */
  value?: string;
  short?: string;
  multiple?: boolean;
  /** A boolean that is on unless `--no-<name>` is given: the help shows `--no-<name>`. */
  negatable?: boolean;
  /** One line: what the option does. */
  description: string;
  /** What happens without the option, as a person reads it. */
  default?: string;
}

export interface CommandSpec {
  /** How the command is typed: `npm start -- "<prompt>" [options]`. */
  usage: string;
  /** One or two sentences: what the command does. */
  summary: string;
  options: readonly OptionSpec[];
  positionals?: boolean;
  /** Worked examples, each a title and a command. */
  examples?: ReadonlyArray<{ title: string; about?: string; command: string }>;
  examplesHeading?: string;
}

const HELP: OptionSpec = { name: 'help', short: 'h', type: 'boolean', description: 'show this help' };

/** `--help` or `-h` anywhere before a bare `--` (after it, they are a prompt's words). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** The help text: usage, summary, one line per option with its default, then the examples. */
export function helpText(command: CommandSpec): string {
  const options = [...command.options, HELP];
  const flag = (o: OptionSpec) =>
    `${o.short ? `-${o.short}, ` : ''}--${o.negatable ? 'no-' : ''}${o.name}${o.value ? ` ${o.value}` : ''}`;
  const width = Math.max(...options.map((o) => flag(o).length)) + 2;
  const lines = [`usage: ${command.usage}`, '', command.summary, '', 'options:'];
  for (const o of options) {
    const more = [o.multiple ? 'repeatable' : '', o.default ? `default: ${o.default}` : '']
      .filter(Boolean)
      .join('; ');
    lines.push(`  ${flag(o).padEnd(width)}${o.description}${more ? ` (${more})` : ''}`);
  }
  if (command.examples?.length) {
    lines.push('', command.examplesHeading ?? 'examples:');
    const titleWidth = Math.max(...command.examples.map((e) => e.title.length)) + 2;
    for (const e of command.examples) {
      if (e.about)
        lines.push(`  ${e.title.padEnd(titleWidth)}${e.about}`, `  ${''.padEnd(titleWidth)}${e.command}`);
      else lines.push(`  ${e.title.padEnd(titleWidth)}${e.command}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Every spelling of an option a person may type, for "did you mean". */
function spellings(options: readonly OptionSpec[]): string[] {
  return [...options, HELP].flatMap((o) => [
    `--${o.name}`,
    ...(o.type === 'boolean' ? [`--no-${o.name}`] : []),
    ...(o.short ? [`-${o.short}`] : []),
  ]);
}

/**
 * Parses argv with parseArgs (strict), turning its errors into plain usage errors: an unknown
 * option gets "did you mean" the closest known one, a missing value says which option wants one.
 */
export function parseCommandLine(command: CommandSpec, argv: string[]) {
  const config = Object.fromEntries(
    command.options.map((o) => [
      o.name,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  ) as Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
  try {
    return parseArgs({
      args: argv,
      options: config,
      allowPositionals: command.positionals ?? false,
      allowNegative: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(usageMessage(error as Error & { code?: string }, command.options));
  }
}

function usageMessage(error: Error & { code?: string }, options: readonly OptionSpec[]): string {
  const { message } = error;
  const quoted = /'(-[^' <]+)/.exec(message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const given = quoted ?? '';
      const name = given.replace(/=.*$/, '');
      const suggestion = closestSpelling(name, spellings(options));
      return `unknown option ${name}${suggestion ? `: did you mean ${suggestion}?` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = options.find((o) => quoted === `--${o.name}` || quoted === `-${o.short}`);
      if (option?.type === 'boolean') return `--${option.name} takes no value`;
      if (/ambiguous/.test(message))
        return `--${option?.name ?? quoted} needs a value; to give one that starts with "-", write --${option?.name ?? quoted}=VALUE`;
      return `--${option?.name ?? quoted} needs a value${option?.value ? ` (${option.value})` : ''}`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const argument = /'([^']*)'/.exec(message)?.[1];
      return `unexpected argument "${argument}": this command takes options only`;
    }
    default:
      return message.split('\n')[0] ?? 'invalid arguments';
  }
}

/**
 * The known word closest to `given`, if it is close enough to be a slip of the keyboard: at most
 * one edit for short words, two for longer ones. Hand-written (a dozen lines) rather than a new
 * dependency: the lists are a few dozen words, so speed does not matter.
 */
export function closestSpelling(given: string, known: readonly string[]): string | undefined {
  const bare = (s: string) => s.replace(/^-+/, '').toLowerCase();
  const word = bare(given);
  // One or two letters (`-x`) are a step away from every short option: nothing to suggest.
  if (word.length < 3) return undefined;
  const limit = word.length >= 5 ? 2 : 1;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(word, bare(candidate));
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = value;
    }
  }
  return at(a.length, b.length);
}
