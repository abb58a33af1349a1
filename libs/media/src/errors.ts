/** Errors raised while finding, running or checking ffmpeg. Each says whether a retry can help. */

/** No ffmpeg could be found; the message ends with the command that installs it. */
export class FfmpegNotFoundError extends Error {
  readonly retryable = false;
  constructor(
    readonly installCommand: string,
    detail = 'ffmpeg was not found (FFMPEG_PATH unset, ffmpeg-static not installed, no ffmpeg on PATH).',
  ) {
    super(`${detail}\nInstall it with:\n${installCommand}`);
    this.name = 'FfmpegNotFoundError';
  }
}

/** ffmpeg or ffprobe exited non-zero. Retrying the same input rarely helps, so not retryable. */
export class FfmpegFailedError extends Error {
  readonly retryable = false;
  constructor(
    readonly tool: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderrTail: string,
  ) {
    const how = exitCode === null ? `was killed by ${signal ?? 'a signal'}` : `exited with code ${exitCode}`;
    super(`${tool} ${how}: ${lastLines(stderrTail, 5)}`);
    this.name = 'FfmpegFailedError';
  }
}

/** ffmpeg ran past its time limit and was killed. A busy machine may do better next time. */
export class FfmpegTimeoutError extends Error {
  readonly retryable = true;
  constructor(
    readonly tool: string,
    readonly timeoutMs: number,
    readonly stderrTail: string,
  ) {
    super(`${tool} did not finish within ${timeoutMs} ms and was killed`);
    this.name = 'FfmpegTimeoutError';
  }
}

/** The caller aborted the run (cancelled job, Lambda about to time out). */
export class FfmpegAbortedError extends Error {
  readonly retryable = true;
  constructor(readonly tool: string) {
    super(`${tool} was aborted`);
    this.name = 'FfmpegAbortedError';
  }
}

/** The media is not something we accept; the reason tells a person what to change. */
export class MediaRejectedError extends Error {
  readonly retryable = false;
  constructor(readonly reason: string) {
    super(`media rejected: ${reason}`);
    this.name = 'MediaRejectedError';
  }
}

/** ffprobe answered with something we could not read (should not happen with a sane ffprobe). */
export class MediaProbeError extends Error {
  readonly retryable = false;
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`could not read ffprobe's answer for ${file}: ${detail}`);
    this.name = 'MediaProbeError';
  }
}

function lastLines(text: string, count: number): string {
  const lines = text.trim().split('\n');
  return lines.slice(-count).join(' | ') || '(no stderr)';
}
