import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { FfmpegAbortedError, FfmpegFailedError, FfmpegNotFoundError, FfmpegTimeoutError } from './errors';
import { ffmpegInstallCommand } from './find-ffmpeg';
import { toolEnv } from './tool-env';

export interface RunToolOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  cwd?: string;
  /** How long ffmpeg gets to exit after SIGTERM before SIGKILL. */
  killGraceMs?: number;
  /** Keep stdout (ffprobe's JSON); ffmpeg's stdout is discarded. */
  captureStdout?: boolean;
  /** Each line the tool prints on stdout (ffmpeg's `-progress pipe:1` blocks). */
  onStdoutLine?: (line: string) => void;
  /** The child's pid as soon as it exists (a caller that must prove it was killed keeps it). */
  onSpawn?: (pid: number) => void;
}

export interface ToolRun {
  stdout: string;
  stderrTail: string;
  durationMs: number;
  /** Peak resident memory of the child (Linux VmHWM, sampled), when it could be read. */
  peakRssKb?: number;
}

const STDERR_TAIL_CHARS = 8_000;
const RSS_SAMPLE_MS = 100;

/**
 * Runs one binary with an argument array (never a shell) and settles when it has exited.
 * On abort or timeout it sends SIGTERM, then SIGKILL after a grace period, and only then rejects,
 * so no ffmpeg outlives the call.
 */
export function runTool(
  tool: string,
  binary: string,
  args: readonly string[],
  opts: RunToolOptions = {},
): Promise<ToolRun> {
  const { signal, timeoutMs, cwd, killGraceMs = 2_000, captureStdout = false, onStdoutLine, onSpawn } = opts;
  if (signal?.aborted) return Promise.reject(new FfmpegAbortedError(tool));

  return new Promise<ToolRun>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(binary, args, {
      cwd,
      env: toolEnv(),
      shell: false,
      stdio: ['ignore', captureStdout || onStdoutLine ? 'pipe' : 'ignore', 'pipe'],
    });
    if (child.pid !== undefined) onSpawn?.(child.pid);

    let stdout = '';
    let partialLine = '';
    let stderrTail = '';
    let stoppedBy: 'timeout' | 'abort' | undefined;
    let peakRssKb: number | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (captureStdout) stdout += chunk;
      if (!onStdoutLine) return;
      const lines = (partialLine + chunk).split('\n');
      partialLine = lines.pop() ?? '';
      for (const line of lines) onStdoutLine(line);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });

    const sampleRss = async () => {
      if (child.pid === undefined) return;
      const kb = await readPeakRssKb(child.pid);
      if (kb !== undefined) peakRssKb = Math.max(peakRssKb ?? 0, kb);
    };
    const rssTimer = setInterval(() => void sampleRss(), RSS_SAMPLE_MS);
    void sampleRss();

    const stop = (why: 'timeout' | 'abort') => {
      if (stoppedBy || child.exitCode !== null) return;
      stoppedBy = why;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), killGraceMs);
    };
    const timeoutTimer = timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = () => stop('abort');
    signal?.addEventListener('abort', onAbort, { once: true });

    const cleanUp = () => {
      clearInterval(rssTimer);
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
    };

    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanUp();
      if (error.code === 'ENOENT' || error.code === 'EACCES') {
        reject(
          new FfmpegNotFoundError(ffmpegInstallCommand(), `${binary} could not be started (${error.code}).`),
        );
      } else {
        reject(error);
      }
    });
    child.on('close', (code, killSignal) => {
      cleanUp();
      const durationMs = Math.round(performance.now() - started);
      if (stoppedBy === 'timeout') return reject(new FfmpegTimeoutError(tool, timeoutMs ?? 0, stderrTail));
      if (stoppedBy === 'abort') return reject(new FfmpegAbortedError(tool));
      if (code !== 0) return reject(new FfmpegFailedError(tool, code, killSignal, stderrTail));
      resolve({ stdout, stderrTail, durationMs, ...(peakRssKb === undefined ? {} : { peakRssKb }) });
    });
  });
}

async function readPeakRssKb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined; // not Linux, or the process has already gone
  }
}
