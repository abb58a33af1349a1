import { FfmpegAbortedError, runFfmpeg as runMediaFfmpeg } from '@reelay/media';

/** A render stopped because its prediction was cancelled. */
export class RenderAbortedError extends Error {
  readonly retryable = false;
  constructor() {
    super('the render was cancelled');
    this.name = 'RenderAbortedError';
  }
}

export interface FfmpegProgress {
  /** Frames written so far (video) or microseconds of output written (audio), whichever ffmpeg reports. */
  frame: number;
  outTimeSec: number;
}

export interface RunFfmpegOptions {
  ffmpegPath: string;
  args: readonly string[];
  /** Text files are referred to by relative names, so paths never need escaping inside a filtergraph. */
  cwd: string;
  signal?: AbortSignal;
  onSpawn?: (pid: number) => void;
  onProgress?: (progress: FfmpegProgress) => void;
}

/**
 * Runs a model's ffmpeg render through libs/media (argument array, file-only inputs, killed on
 * abort) with lavfi sources allowed, and turns ffmpeg's -progress key=value blocks into progress.
 */
export async function runFfmpeg(options: RunFfmpegOptions): Promise<void> {
  let frame = 0;
  let outTimeSec = 0;
  try {
    await runMediaFfmpeg(['-progress', 'pipe:1', ...options.args], {
      binaries: { ffmpeg: options.ffmpegPath, ffprobe: '' },
      cwd: options.cwd,
      allowLavfi: true,
      // A cancelled prediction's render is killed at once, as before; nothing of it is kept.
      killGraceMs: 0,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
      onStdoutLine: (line) => {
        const [key, value] = line.split('=', 2);
        if (key === 'frame') frame = Number(value) || 0;
        else if (key === 'out_time_us') outTimeSec = Math.max(0, Number(value) || 0) / 1e6;
        else if (key === 'progress') options.onProgress?.({ frame, outTimeSec });
      },
    });
  } catch (error) {
    if (error instanceof FfmpegAbortedError) throw new RenderAbortedError();
    throw error;
  }
}
