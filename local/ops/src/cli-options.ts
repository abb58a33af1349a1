import { UsageError as CommandLineUsageError } from '../../cli/command-line';

/** A wrong option or value: the CLI exits 2 with a message naming it. */
export class UsageError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An ISO 8601 time, or a relative one such as -30m, -2h, -1d (before now). */
export function parseTime(option: string, value: string | undefined, now = new Date()): Date {
  if (!value) throw new UsageError(`${option} is required`);
  const relative = /^-(\d+)([smhd])$/.exec(value);
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time))
    throw new UsageError(
      `${option} ${value} is not a time (use ISO 8601, e.g. 2026-11-23T10:00:00Z, or -30m)`,
    );
  return new Date(time);
}

/** Against the embedded cloud the AWS_ENDPOINT_URL_* variables point the SDK there; otherwise it is AWS. */
export const talksToAws = (env: Record<string, string | undefined> = process.env) =>
  !Object.keys(env).some((k) => k.startsWith('AWS_ENDPOINT_URL') && env[k]);

/** Runs a CLI: a usage error (wrong option, no cloud to act on, a bad window) exits 2, anything else 1. */
export async function runCli(main: () => Promise<void>, helpCommand?: string): Promise<void> {
  try {
    await main();
  } catch (error) {
    const usage =
      error instanceof UsageError ||
      error instanceof CommandLineUsageError ||
      (error as Error).name === 'ReplayWindowError';
    process.stderr.write(
      `error: ${(error as Error).message}\n${usage && helpCommand ? `see every option: ${helpCommand}\n` : ''}`,
    );
    process.exitCode = usage ? 2 : 1;
  }
}

/**
 * `--from -30m` as `--from=-30m`: parseArgs reads a value that starts with "-" as ambiguous (it could
 * be an option), but a relative time is never one.
 */
export function joinRelativeTimes(argv: readonly string[], options: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (options.includes(arg) && next !== undefined && /^-\d+[smhd]$/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}
