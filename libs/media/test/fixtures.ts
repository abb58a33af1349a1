import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { runFfmpeg } from '../src/run-ffmpeg';

/** A temporary directory per test file, removed afterwards. */
export function useTempDir(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** A short synthetic clip made with ffmpeg's lavfi sources. */
export async function makeClip(
  file: string,
  opts: { size?: string; fps?: number; seconds?: number; audio?: boolean; extra?: string[] } = {},
): Promise<string> {
  const { size = '160x90', fps = 25, seconds = 1, audio = true, extra = [] } = opts;
  await runFfmpeg(
    [
      '-f',
      'lavfi',
      '-i',
      `testsrc2=s=${size}:r=${fps}:d=${seconds}`,
      ...(audio ? ['-f', 'lavfi', '-i', `sine=f=440:d=${seconds}`] : []),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      ...(audio ? ['-c:a', 'aac'] : []),
      ...extra,
      file,
    ],
    { allowLavfi: true },
  );
  return file;
}

/**
 * A real 16000x16000 PNG (1-bit grey, ~40 kB) of the kind used as a decompression bomb: tiny on
 * disk, huge once decoded.
 */
export function writeHugePng(file: string, side = 16000): string {
  const row = Buffer.alloc(1 + Math.ceil(side / 8)); // filter byte + packed 1-bit pixels
  const raw = Buffer.alloc(row.length * side);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const chunks = [
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ];
  writeFileSync(
    file,
    Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]),
  );
  return file;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
