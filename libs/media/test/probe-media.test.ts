import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MediaRejectedError } from '../src/errors';
import { checkMediaAllowed } from '../src/media-caps';
import { probeMedia } from '../src/probe-media';
import { sniffRefusedContainer } from '../src/sniff-container';
import { makeClip, useTempDir, writeHugePng } from './fixtures';

describe('probeMedia and the upload checks', () => {
  const dir = useTempDir('probe-media-');

  it('describes a clip from its header', async () => {
    // Prepare
    const file = await makeClip(join(dir(), 'clip.mp4'), { size: '320x180', fps: 25, seconds: 1 });
    // Act
    const probe = await probeMedia(file);
    // Assess
    expect(probe).toMatchObject({
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      still: false,
      streamCount: 2,
      video: { codec: 'h264', width: 320, height: 180, fps: 25, pixFmt: 'yuv420p', rotation: 0 },
      audio: { codec: 'aac', sampleRate: 44100, channels: 1 },
    });
    expect(probe.durationSec).toBeCloseTo(1, 1);
    expect(probe.bytes).toBeGreaterThan(0);
    expect(() => checkMediaAllowed(probe)).not.toThrow();
  });

  it('describes a still image as a still', async () => {
    const file = join(dir(), 'still.png');
    await makeClip(file, { audio: false, extra: ['-frames:v', '1', '-c:v', 'png'] });
    const probe = await probeMedia(file);
    expect(probe).toMatchObject({ formatName: 'png_pipe', still: true, video: { width: 160, height: 90 } });
    expect(() => checkMediaAllowed(probe)).not.toThrow();
  });

  it('refuses an HLS playlist renamed to .mp4 before ffprobe can follow it', async () => {
    // Prepare
    const file = join(dir(), 'upload.mp4');
    writeFileSync(file, '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n');
    // Act + Assess
    await expect(sniffRefusedContainer(file)).rejects.toThrow(/HLS\/M3U playlist/);
    await expect(probeMedia(file)).rejects.toBeInstanceOf(MediaRejectedError);
  });

  it('refuses ffmpeg concat lists, with or without their header', async () => {
    const withHeader = join(dir(), 'a.mp4');
    writeFileSync(withHeader, "ffconcat version 1.0\nfile '/etc/passwd'\n");
    const bare = join(dir(), 'b.mp4');
    writeFileSync(bare, "# made by hand\nfile '/etc/passwd'\nduration 1\n");
    await expect(probeMedia(withHeader)).rejects.toThrow(/concat list/);
    await expect(probeMedia(bare)).rejects.toThrow(/concat list/);
  });

  it('refuses containers outside the allowlist, naming them', async () => {
    const file = await makeClip(join(dir(), 'clip.nut'), { audio: false });
    await expect(probeMedia(file)).rejects.toThrow(/container nut is not accepted/);
  });

  it('refuses a file that is not media at all', async () => {
    const file = join(dir(), 'notes.mp4');
    writeFileSync(file, 'just some text, not a video');
    await expect(probeMedia(file)).rejects.toThrow(/not a readable video, image or audio file/);
  });

  it('refuses a 16000x16000 image however small the file is', async () => {
    // Prepare
    const file = writeHugePng(join(dir(), 'bomb.png'));
    // Act
    const probe = await probeMedia(file);
    // Assess
    expect(probe.video).toMatchObject({ width: 16000, height: 16000 });
    expect(() => checkMediaAllowed(probe)).toThrow(/16000x16000; at most 4096x4096/);
  });
});
