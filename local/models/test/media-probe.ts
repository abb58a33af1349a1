import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
}

export interface Probe {
  streams: ProbedStream[];
  format: { duration: string; format_name: string };
}

/** Downloads a URL to a file (the test's own fetch, not the server's). */
export async function download(url: string, path: string): Promise<Response> {
  const response = await fetch(url);
  if (response.ok) await writeFile(path, Buffer.from(await response.arrayBuffer()));
  return response;
}

export async function probe(path: string): Promise<Probe> {
  const { stdout } = await run('/usr/bin/ffprobe', [
    '-v',
    'error',
    '-show_streams',
    '-show_format',
    '-of',
    'json',
    path,
  ]);
  return JSON.parse(stdout) as Probe;
}

/** A frame at `atSec`, shrunk to 32x18 RGB: enough to tell two scenes apart by colour. */
export async function thumbnailPixels(path: string, atSec: number): Promise<Buffer> {
  const { stdout } = await run(
    '/usr/bin/ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      String(atSec),
      '-i',
      path,
      '-frames:v',
      '1',
      '-vf',
      'scale=32:18',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer' },
  );
  return stdout;
}

export function meanAbsoluteDifference(a: Buffer, b: Buffer): number {
  let total = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) total += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return total / Math.max(1, Math.min(a.length, b.length));
}
