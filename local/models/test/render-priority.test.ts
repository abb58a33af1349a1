import { mkdtempSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFfmpeg } from '@reelay/media';
import { MODEL_RENDER_NICENESS, runFfmpeg } from '../src/render/run-ffmpeg';

describe("the twin's renders run below the pipeline's priority", () => {
  const dir = mkdtempSync(join(tmpdir(), 'render-priority-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lowers every render ffmpeg to MODEL_RENDER_NICENESS as it starts', async () => {
    // Prepare
    const seen: number[] = [];
    // Act: a render long enough to be looked at while it runs.
    await runFfmpeg({
      ffmpegPath: findFfmpeg().ffmpeg,
      cwd: dir,
      args: ['-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=30:d=2', '-f', 'null', '-'],
      onSpawn: (pid) => seen.push(getPriority(pid)),
    });
    // Assess: the model's render yields the CPU to prepare and compose, as a remote GPU would.
    expect(MODEL_RENDER_NICENESS).toBeGreaterThanOrEqual(10);
    expect(seen).toEqual([MODEL_RENDER_NICENESS]);
  });
});
