import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FfmpegAbortedError, FfmpegFailedError, FfmpegTimeoutError } from '../src/errors';
import { UnsafeFfmpegArgsError } from '../src/ffmpeg-args';
import { runFfmpeg } from '../src/run-ffmpeg';
import { makeClip, useTempDir } from './fixtures';

/** Whether any process still has `marker` in its command line. */
function processWithMarkerRuns(marker: string): boolean {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .some((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
}

/** An ffmpeg run that would take an hour: real-time reading of an hour-long source. */
function endlessArgs(marker: string): string[] {
  return [
    '-re',
    '-f',
    'lavfi',
    '-i',
    'testsrc=s=32x32:r=10:d=3600',
    '-metadata',
    `comment=${marker}`,
    '-f',
    'null',
    '-',
  ];
}

describe('runFfmpeg', () => {
  const dir = useTempDir('run-ffmpeg-');

  it('runs ffmpeg and reports how long it took', async () => {
    // Act
    const file = await makeClip(join(dir(), 'clip.mp4'));
    const run = await runFfmpeg(['-i', file, '-f', 'null', '-']);
    // Assess
    expect(run.durationMs).toBeGreaterThan(0);
    expect(run.stderrTail).toBe('');
  });

  it('fails with the exit code and the end of stderr', async () => {
    const act = runFfmpeg(['-i', join(dir(), 'missing.mp4'), '-f', 'null', '-']);
    await expect(act).rejects.toBeInstanceOf(FfmpegFailedError);
    await expect(act).rejects.toMatchObject({
      exitCode: 1,
      retryable: false,
      stderrTail: expect.stringMatching(/No such file/),
    });
  });

  it('refuses to read anything but local files', async () => {
    const act = runFfmpeg(['-i', 'http://127.0.0.1:9/video.mp4', '-f', 'null', '-']);
    await expect(act).rejects.toMatchObject({ stderrTail: expect.stringMatching(/not on whitelist/) });
  });

  it('kills ffmpeg when it runs past its time limit', async () => {
    // Prepare
    const marker = `timeout-${randomUUID()}`;
    // Act
    const act = runFfmpeg(endlessArgs(marker), { allowLavfi: true, timeoutMs: 500 });
    // Assess
    await expect(act).rejects.toBeInstanceOf(FfmpegTimeoutError);
    expect(processWithMarkerRuns(marker)).toBe(false);
  });

  it('kills ffmpeg when the caller aborts', async () => {
    const marker = `abort-${randomUUID()}`;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    await expect(
      runFfmpeg(endlessArgs(marker), { allowLavfi: true, signal: controller.signal }),
    ).rejects.toBeInstanceOf(FfmpegAbortedError);
    expect(processWithMarkerRuns(marker)).toBe(false);
  });

  it('refuses synthetic lavfi inputs unless allowed', async () => {
    await expect(runFfmpeg(['-f', 'lavfi', '-i', 'testsrc', '-f', 'null', '-'])).rejects.toBeInstanceOf(
      UnsafeFfmpegArgsError,
    );
  });
});
