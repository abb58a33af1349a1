import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFfmpegBinaries, runFfmpeg, runTool } from '@reelay/media';
import type { OutputFormat } from '../../../src/composition/output-format';

/** The small crossfading format of the composition tests: 320x180, 30 fps, half-second crossfades. */
export const SMALL_CROSSFADE: OutputFormat = {
  width: 320,
  height: 180,
  fps: 30,
  transition: 'crossfade',
  transitionSec: 0.5,
};

export function useTempDir(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** A synthetic source clip (what a model or a user might hand us). */
export async function makeSourceClip(
  file: string,
  opts: { size: string; fps: number; seconds: number; audio: boolean; toneHz?: number },
): Promise<string> {
  const { size, fps, seconds, audio, toneHz = 440 } = opts;
  await runFfmpeg(
    [
      '-f',
      'lavfi',
      '-i',
      `testsrc2=s=${size}:r=${fps}:d=${seconds}`,
      ...(audio ? ['-f', 'lavfi', '-i', `sine=f=${toneHz}:sample_rate=44100:d=${seconds}`] : []),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      ...(audio ? ['-c:a', 'aac', '-ac', '1'] : []),
      file,
    ],
    { allowLavfi: true },
  );
  return file;
}

export interface StreamFacts {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  duration: number;
  nb_frames?: number;
}

/** Per-stream facts from ffprobe, as the tests want to assert them. */
export async function streamFacts(
  file: string,
): Promise<{ video: StreamFacts; audio: StreamFacts | undefined }> {
  const { stdout } = await runTool(
    'ffprobe',
    defaultFfmpegBinaries().ffprobe,
    ['-v', 'error', '-show_streams', '-of', 'json', file],
    { captureStdout: true },
  );
  const streams = (JSON.parse(stdout) as { streams: Array<Record<string, unknown>> }).streams.map(
    (s): StreamFacts => ({
      ...(s as unknown as StreamFacts),
      duration: Number(s.duration),
      ...(s.nb_frames === undefined ? {} : { nb_frames: Number(s.nb_frames) }),
    }),
  );
  const video = streams.find((s) => s.codec_type === 'video');
  if (!video) throw new Error(`${file} has no video stream`);
  return { video, audio: streams.find((s) => s.codec_type === 'audio') };
}

/** Decodes the whole file and returns ffmpeg's complaints (empty when the stream is clean). */
export async function decodeErrors(file: string): Promise<string> {
  const run = await runFfmpeg(['-i', file, '-f', 'null', '-']);
  return run.stderrTail.trim();
}

/** A tone as an audio-only file (what a TTS or music model might hand us), in any container. */
export async function makeTone(file: string, opts: { hz: number; seconds: number }): Promise<string> {
  await runFfmpeg(['-f', 'lavfi', '-i', `sine=f=${opts.hz}:sample_rate=22050:d=${opts.seconds}`, file], {
    allowLavfi: true,
  });
  return file;
}

/** EBU R128 of a whole file, measured by ffmpeg's ebur128 filter (not the loudnorm we apply). */
export async function measureLoudness(
  file: string,
): Promise<{ integratedLufs: number; truePeakDbtp: number }> {
  const run = await runFfmpeg(['-i', file, '-map', '0:a:0', '-af', 'ebur128=peak=true', '-f', 'null', '-'], {
    logLevel: 'info',
  });
  const summary = run.stderrTail.slice(run.stderrTail.lastIndexOf('Summary:'));
  const integrated = /I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1];
  const peak = /True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)?.[1];
  if (integrated === undefined || peak === undefined) throw new Error(`no ebur128 summary in ${summary}`);
  return { integratedLufs: Number(integrated), truePeakDbtp: Number(peak) };
}

/** RMS level (dBFS) of one frequency band of the audio between two times. */
export async function bandLevelDb(
  file: string,
  opts: { fromSec: number; toSec: number; hz: number },
): Promise<number> {
  const filter = [
    `atrim=start=${opts.fromSec}:end=${opts.toSec}`,
    // Twice, for a steep band: the other tones of the mix sit an octave or more away.
    `bandpass=f=${opts.hz}:width_type=q:w=8`,
    `bandpass=f=${opts.hz}:width_type=q:w=8`,
    'astats=measure_perchannel=none:measure_overall=RMS_level',
  ].join(',');
  const run = await runFfmpeg(['-i', file, '-map', '0:a:0', '-af', filter, '-f', 'null', '-'], {
    logLevel: 'info',
  });
  const level = /RMS level dB:\s+(-?[\d.]+|-inf)/.exec(run.stderrTail)?.[1];
  if (level === undefined) throw new Error(`no astats RMS in ${run.stderrTail}`);
  return level === '-inf' ? Number.NEGATIVE_INFINITY : Number(level);
}
