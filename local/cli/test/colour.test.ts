import { Writable } from 'node:stream';
import { paintFor } from '../colour';
import { progressReporter } from '../job-progress';

/** A stream that keeps what is written, seen as a terminal (with or without colours) or a pipe. */
function recordingStream(terminal: { isTTY: boolean; hasColors?: boolean }) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as Writable & { isTTY: boolean; columns: number; hasColors?: () => boolean };
  stream.isTTY = terminal.isTTY;
  stream.columns = 120;
  if (terminal.hasColors !== undefined) stream.hasColors = () => terminal.hasColors ?? false;
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

const ESC = '\u001b[';
const view = {
  status: 'RENDERING',
  sceneCount: 2,
  scenes: [
    { sceneIndex: 0, status: 'ready' },
    { sceneIndex: 1, status: 'failed' },
  ],
};

describe('colour in the CLI', () => {
  it('paints on a terminal that has colours', () => {
    const paint = paintFor(recordingStream({ isTTY: true, hasColors: true }).stream);
    expect(paint('green', 'completed')).toBe(`${ESC}32mcompleted${ESC}39m`);
    expect(paint('red', 'failed')).toBe(`${ESC}31mfailed${ESC}39m`);
  });

  it('writes plain text to a pipe, and to a terminal without colours (NO_COLOR, TERM=dumb)', () => {
    expect(paintFor(recordingStream({ isTTY: false }).stream)('red', 'failed')).toBe('failed');
    expect(paintFor(recordingStream({ isTTY: true, hasColors: false }).stream)('red', 'failed')).toBe(
      'failed',
    );
  });

  it('colours the scene states of the progress bars on a terminal', () => {
    const { stream, text } = recordingStream({ isTTY: true, hasColors: true });
    const progress = progressReporter(stream);
    progress.update(view);
    progress.stop();
    expect(text()).toContain(`${ESC}32mready${ESC}39m`);
    expect(text()).toContain(`${ESC}31mfailed${ESC}39m`);
  });

  it('writes plain progress lines without any escape code in a pipe', () => {
    const { stream, text } = recordingStream({ isTTY: false, hasColors: true });
    const progress = progressReporter(stream, () => 0);
    progress.update(view);
    progress.stop();
    expect(text()).toBe('job rendering\nscene 1/2 ready\nscene 2/2 failed\n1/2 scenes after 0.0 s\n');
  });
});
