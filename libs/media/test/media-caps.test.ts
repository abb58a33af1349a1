import { MediaRejectedError } from '../src/errors';
import { checkMediaAllowed, DEFAULT_MEDIA_CAPS } from '../src/media-caps';
import type { MediaProbe } from '../src/media-probe';

const clip = (overrides: Partial<MediaProbe> = {}): MediaProbe => ({
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationSec: 6,
  bytes: 2_000_000,
  still: false,
  video: { codec: 'h264', width: 1920, height: 1080, fps: 30, pixFmt: 'yuv420p', rotation: 0 },
  audio: { codec: 'aac', sampleRate: 48000, channels: 2 },
  streamCount: 2,
  ...overrides,
});

describe('checkMediaAllowed', () => {
  it('accepts an ordinary phone clip', () => {
    expect(() => checkMediaAllowed(clip())).not.toThrow();
  });

  it.each([
    ['a playlist', { formatName: 'hls' }, /playlist or list of files/],
    ['a concat list', { formatName: 'concat' }, /playlist or list of files/],
    ['an unlisted container', { formatName: 'avi' }, /container avi is not accepted/],
    ['too many streams', { streamCount: 40 }, /40 streams; at most 8/],
    [
      'a huge picture',
      { video: { codec: 'h264', width: 16000, height: 16000, fps: 30, pixFmt: 'yuv420p', rotation: 0 } },
      /16000x16000/,
    ],
    [
      'a huge rotated picture',
      { video: { codec: 'h264', width: 2000, height: 5000, fps: 30, pixFmt: 'yuv420p', rotation: 90 } },
      /5000x2000/,
    ],
    [
      'an absurd frame rate',
      { video: { codec: 'h264', width: 640, height: 360, fps: 1000, pixFmt: 'yuv420p', rotation: 0 } },
      /1000 fps/,
    ],
    ['a long file', { durationSec: 3600 }, /lasts 3600.0 s; at most 600 s/],
    ['a file without a duration', { durationSec: 0 }, /does not say how long/],
    ['a big file', { bytes: 5 * 1024 ** 3 }, /5120.0 MiB/],
    [
      'a file with no picture or sound',
      { video: undefined, audio: undefined },
      /neither a video nor an audio/,
    ],
  ] as const)('refuses %s with a reason a person can act on', (_name, overrides, reason) => {
    // Prepare
    const probe = clip(overrides as Partial<MediaProbe>);
    // Act
    const act = () => checkMediaAllowed(probe, DEFAULT_MEDIA_CAPS);
    // Assess
    expect(act).toThrow(MediaRejectedError);
    expect(act).toThrow(reason);
  });

  it('does not ask a still image for a duration', () => {
    expect(() =>
      checkMediaAllowed(clip({ formatName: 'png_pipe', still: true, durationSec: 0, audio: undefined })),
    ).not.toThrow();
  });
});
