import { startupProgress } from '../startup-progress';

/** A stream that keeps what is written, as a terminal (isTTY) or a pipe would receive it. */
function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (chunk: string) => chunks.push(chunk) > 0 };
}

describe('start-up phases on stderr', () => {
  it('writes one plain line per phase in a pipe, without colour or cursor codes, then the ready line', () => {
    const pipe = stream(false);
    const progress = startupProgress(pipe);

    progress.phase('starting the AWS emulators');
    progress.phase('deploying 4 services');
    progress.ready('local cloud ready in 9.8 s');

    expect(pipe.chunks.join('')).toBe(
      'starting the AWS emulators…\ndeploying 4 services…\nlocal cloud ready in 9.8 s\n',
    );
  });

  it('rewrites one line in place on a terminal, with the seconds since start-up began', () => {
    const terminal = stream(true);
    let now = 1_000;
    const progress = startupProgress(terminal, () => now);

    progress.phase('packaging the services');
    now = 3_500;
    progress.phase('deploying 4 services');
    progress.ready('local cloud ready in 2.5 s');

    expect(terminal.chunks).toEqual([
      '\r\u001b[2Kpackaging the services… 0.0 s',
      '\r\u001b[2Kdeploying 4 services… 2.5 s',
      '\r\u001b[2Klocal cloud ready in 2.5 s\n',
    ]);
  });

  it('ends the phase line on a terminal when start-up fails, so the error gets its own line', () => {
    const terminal = stream(true);
    const progress = startupProgress(terminal, () => 0);

    progress.phase('deploying 4 services');
    progress.stop();

    expect(terminal.chunks.at(-1)).toBe('\n');
  });
});
