import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { MediaRejectedError } from '../src/errors';
import { checkMediaAllowed } from '../src/media-caps';
import { probeMedia } from '../src/probe-media';
import { runFfmpeg } from '../src/run-ffmpeg';

/** Files whose headers declare far more than they hold: refused from the header, before any decode. */
describe('inputs that declare a bomb in their header', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bombs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const pngChunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };

  const png = (width: number, height: number) => {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk('IHDR', ihdr),
      pngChunk('IEND', Buffer.alloc(0)),
    ]);
  };

  // ffprobe gets no size out of a 16k x 16k header (past what ffmpeg will allocate); a picture
  // without a readable size is refused, with the reason.
  it.each([[16384, /picture size could not be read/]])(
    'refuses a %i-pixel-square picture declared by a 60-byte PNG',
    async (side, reason) => {
      // Prepare
      const file = join(dir, `bomb-${side}.png`);
      writeFileSync(file, png(side, side));
      // Act
      const act = async () => checkMediaAllowed(await probeMedia(file));
      // Assess
      await expect(act()).rejects.toThrow(MediaRejectedError);
      await expect(act()).rejects.toThrow(reason);
    },
  );

  it('refuses a 10-hour duration declared by a 2 s MP4', async () => {
    // Prepare: a real 2 s clip whose movie and media headers are rewritten to say 10 hours.
    const clip = join(dir, 'short.mp4');
    await runFfmpeg(
      ['-f', 'lavfi', '-i', 'testsrc2=s=160x120:d=2', '-c:v', 'libx264', '-preset', 'ultrafast', clip],
      {
        allowLavfi: true,
      },
    );
    const bytes = readFileSync(clip);
    for (const box of ['mvhd', 'mdhd']) {
      for (let at = bytes.indexOf(box); at !== -1; at = bytes.indexOf(box, at + 1)) {
        if (bytes[at + 4] !== 0) continue; // version 0 boxes: 32-bit timescale then duration
        const timescale = bytes.readUInt32BE(at + 16);
        bytes.writeUInt32BE(timescale * 36_000, at + 20);
      }
    }
    const file = join(dir, 'ten-hours.mp4');
    writeFileSync(file, bytes);
    // Act
    const act = async () => checkMediaAllowed(await probeMedia(file));
    // Assess
    await expect(act()).rejects.toThrow(/lasts 36000\.0 s; at most 600 s is accepted/);
  });
});
