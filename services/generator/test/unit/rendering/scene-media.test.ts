import { makeScenePlanned } from '@reelay/events';
import type { MediaProbe } from '@reelay/media';
import { outputMedia } from '../../../src/rendering/scene-media';

const clipOf = (seconds: number): MediaProbe => ({
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationSec: seconds,
  bytes: 100_000,
  still: false,
  video: {
    codec: 'h264',
    width: 832,
    height: 480,
    fps: 24,
    pixFmt: 'yuv420p',
    durationSec: seconds,
    rotation: 0,
  },
  streamCount: 1,
});
const url = 'https://replicate.delivery/xezq/abc/output.mp4';

describe("a video model's output", () => {
  it('lasts the planned scene when the model made a longer clip (wan makes at least 81 frames)', () => {
    const scene = makeScenePlanned({ kind: 'video', durationSec: 2 });

    expect(outputMedia(scene, clipOf(81 / 24), url).durationSec).toBe(2);
  });

  it('keeps its own length when it is shorter than planned', () => {
    const scene = makeScenePlanned({ kind: 'video', durationSec: 6 });

    expect(outputMedia(scene, clipOf(5.0625), url).durationSec).toBe(5.0625);
  });
});
