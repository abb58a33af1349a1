/**
 * The argument policy every ffmpeg run goes through: each input may read local files only, and
 * filtergraph-defined inputs (lavfi, movie=) are refused unless the caller says it renders
 * synthetic media (tests, the local model server).
 */

/** Options that make ffmpeg quiet, non-interactive and overwrite its outputs. */
export const GLOBAL_FFMPEG_ARGS = ['-hide_banner', '-nostdin', '-y', '-nostats'] as const;

export interface InputPolicy {
  /** Permit `-f lavfi` inputs and movie=/amovie= sources (synthetic media only). */
  allowLavfi?: boolean;
}

/** Thrown for argument lists that break the policy: a programming error, never retryable. */
export class UnsafeFfmpegArgsError extends Error {
  readonly retryable = false;
  constructor(reason: string) {
    super(`refusing to run ffmpeg: ${reason}`);
    this.name = 'UnsafeFfmpegArgsError';
  }
}

const FILTER_OPTIONS = /^-(filter_complex|lavfi|vf|af|filter(:[a-z0-9:]+)?)$/;
// movie/amovie open files (or URLs) from inside a filtergraph, outside the input whitelist.
const FILE_READING_FILTER = /(^|[;,[\]\s])a?movie\s*=/;

/**
 * Returns args with `-protocol_whitelist file` placed before every `-i` that does not already
 * set one (it is a per-input option), after checking the policy.
 */
export function enforceInputPolicy(args: readonly string[], policy: InputPolicy = {}): string[] {
  const out: string[] = [];
  let inputOptionsStart = 0; // where the options of the next input begin in `out`
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = args[i + 1];
    if (
      FILTER_OPTIONS.test(arg) &&
      value !== undefined &&
      FILE_READING_FILTER.test(value) &&
      !policy.allowLavfi
    ) {
      throw new UnsafeFfmpegArgsError(`filtergraph reads a file through movie/amovie: ${value}`);
    }
    if (arg === '-i') {
      if (value === undefined) throw new UnsafeFfmpegArgsError('-i without an input');
      const inputOptions = out.slice(inputOptionsStart);
      if (formatOf(inputOptions) === 'lavfi' && !policy.allowLavfi) {
        throw new UnsafeFfmpegArgsError(`lavfi input "${value}" needs allowLavfi (synthetic media only)`);
      }
      if (!inputOptions.includes('-protocol_whitelist')) out.push('-protocol_whitelist', 'file');
      out.push('-i', value);
      i++;
      inputOptionsStart = out.length;
      continue;
    }
    out.push(arg);
  }
  return out;
}

function formatOf(inputOptions: readonly string[]): string | undefined {
  const at = inputOptions.lastIndexOf('-f');
  return at === -1 ? undefined : inputOptions[at + 1];
}

/**
 * The options for one file input: local files only and, when given, only these demuxers
 * (ffmpeg checks the detected demuxer against the list before it reads the header, so a
 * playlist never gets to open what it lists).
 */
export function fileInput(
  path: string,
  opts: { formats?: readonly string[]; before?: readonly string[] } = {},
): string[] {
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  return [
    '-protocol_whitelist', 'file',
    ...(opts.formats ? ['-format_whitelist', opts.formats.join(',')] : []),
    ...(opts.before ?? []),
    '-i',
    path,
  ];
}
