import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFfmpegBinaries, runFfmpeg, runTool } from '@reelay/media';

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
