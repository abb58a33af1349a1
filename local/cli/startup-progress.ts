/**
 * The local cloud's start-up as it happens (up to minutes on a loaded machine): on a terminal one
 * line that names the current phase and counts the seconds; in a pipe or CI one plain line per
 * phase, no colour or cursor codes.
 */
export interface StartupProgress {
  /** A new phase begins ("deploying 4 services"). */
  phase(name: string): void;
  /** Start-up is over: `line` (how long it took, say) ends the phase line. */
  ready(line: string): void;
  /** Start-up failed: the phase line is ended so the error starts on its own line. */
  stop(): void;
}

type Stream = Pick<NodeJS.WritableStream, 'write'> & { isTTY?: boolean };

/** How often the terminal line's seconds move. */
const TICK_MS = 200;

export function startupProgress(
  stream: Stream = process.stderr,
  clock: () => number = Date.now,
): StartupProgress {
  const started = clock();
  const elapsed = () => (clock() - started) / 1000;
  if (stream.isTTY !== true) {
    return {
      phase: (name) => stream.write(`${name}…\n`),
      ready: (line) => stream.write(`${line}\n`),
      stop: () => undefined,
    };
  }
  let current: string | undefined;
  // Carriage return and "erase line": the phase line is rewritten in place.
  const draw = () => {
    if (current !== undefined) stream.write(`\r\u001b[2K${current}… ${elapsed().toFixed(1)} s`);
  };
  const timer = setInterval(draw, TICK_MS);
  timer.unref();
  return {
    phase: (name) => {
      current = name;
      draw();
    },
    ready: (line) => {
      clearInterval(timer);
      current = undefined;
      stream.write(`\r\u001b[2K${line}\n`);
    },
    stop: () => {
      clearInterval(timer);
      if (current !== undefined) stream.write('\n');
      current = undefined;
    },
  };
}
