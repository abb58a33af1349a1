import { enforceInputPolicy, GLOBAL_FFMPEG_ARGS, type InputPolicy } from './ffmpeg-args';
import { defaultFfmpegBinaries, type FfmpegBinaries } from './find-ffmpeg';
import { type RunToolOptions, runTool } from './run-tool';

export interface RunFfmpegOptions extends InputPolicy {
  signal?: AbortSignal;
  timeoutMs?: number;
  cwd?: string;
  /** ffmpeg's -loglevel; `error` keeps stderr short enough to be the failure reason. */
  logLevel?: 'quiet' | 'error' | 'warning' | 'info' | 'verbose';
  killGraceMs?: number;
  binaries?: FfmpegBinaries;
  onStdoutLine?: RunToolOptions['onStdoutLine'];
  onSpawn?: RunToolOptions['onSpawn'];
}

export interface FfmpegRun {
  stderrTail: string;
  durationMs: number;
  peakRssKb?: number;
}

/**
 * Runs ffmpeg with an argument array: quiet, non-interactive, overwriting, every input limited
 * to local files. Rejects with FfmpegFailedError, FfmpegTimeoutError or FfmpegAbortedError,
 * after the process has exited.
 */
export async function runFfmpeg(args: readonly string[], opts: RunFfmpegOptions = {}): Promise<FfmpegRun> {
  const { logLevel = 'error', binaries, ...rest } = opts;
  const fullArgs = [...GLOBAL_FFMPEG_ARGS, '-loglevel', logLevel, ...enforceInputPolicy(args, opts)];
  const { ffmpeg } = binaries ?? defaultFfmpegBinaries();
  const { stderrTail, durationMs, peakRssKb } = await runTool('ffmpeg', ffmpeg, fullArgs, rest);
  return { stderrTail, durationMs, ...(peakRssKb === undefined ? {} : { peakRssKb }) };
}
