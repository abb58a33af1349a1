import { setPriority } from 'node:os';
import { FfmpegAbortedError, runFfmpeg as runMediaFfmpeg } from '@reelay/media';

/**
 * The niceness of the twin's renders. On Replicate a model runs on its own GPU and never slows the
 * pipeline; here it shares the machine's cores with the composer, and at equal priority five video
 * renders finishing together held back the prepares of the scenes already back (the job's critical
 * path, last SceneReady -> VideoComposed). At a lower priority the renders take the CPU the
 * pipeline leaves, as a remote model would.
 */
export const MODEL_RENDER_NICENESS = 10;

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
      onSpawn: (pid) => {
        try {
          setPriority(pid, MODEL_RENDER_NICENESS);
        } catch {
          // The process may have ended already; a render at normal priority is still correct.
        }
        options.onSpawn?.(pid);
      },
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
