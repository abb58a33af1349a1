import { spawn } from 'node:child_process';

export class FfmpegFailedError extends Error {
  readonly retryable = false;
  constructor(
    readonly exitCode: number | null,
    readonly stderrTail: string,
  ) {
    super(
      `ffmpeg exited with ${exitCode ?? 'a signal'}: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}`,
    );
    this.name = 'FfmpegFailedError';
  }
}

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

const STDERR_TAIL_BYTES = 4000;

/** Spawns ffmpeg with an argument array (never a shell) and reports its -progress key=value blocks. */
export function runFfmpeg(options: RunFfmpegOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new RenderAbortedError());
      return;
    }
    const child = spawn(
      options.ffmpegPath,
      ['-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats', ...options.args],
      { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let stderr = '';
    let pending = '';
    let frame = 0;
    let outTimeSec = 0;
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [key, value] = line.split('=', 2);
        if (key === 'frame') frame = Number(value) || 0;
        else if (key === 'out_time_us') outTimeSec = Math.max(0, Number(value) || 0) / 1e6;
        else if (key === 'progress') options.onProgress?.({ frame, outTimeSec });
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) reject(new RenderAbortedError());
      else if (code === 0) resolve();
      else reject(new FfmpegFailedError(code, stderr));
    });
  });
}
