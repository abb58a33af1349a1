import { join } from 'node:path';
import { checkMediaAllowed, probeMedia, runFfmpeg } from '@reelay/media';
import { frameColours, type Rgb } from '../../../../../test/support/page-colours';
import {
  ClipNotNormalizedError,
  composeChunked,
  composeTimeline,
  normalizeClip,
  transitionKeyframeTimes,
} from '../../../src/composition/index';
import { renderTransitions } from '../../../src/composition/transition-render';
import { decodeErrors, SMALL_CROSSFADE, useTempDir } from './fixtures';

// Transitions prepare renders as both scenes become ready (early-transitions.ts) are copied by
// compose as they are: these tests hand compose a transition of another colour and find it there.
const SCENE_SEC = 2;
const FRAMES = 60;
const OVERLAP = 15;

const near = (pixel: Rgb | undefined, colour: Rgb) =>
  pixel?.every((value, i) => Math.abs(value - (colour[i] ?? 0)) < 40) === true;
const RED: Rgb = [255, 0, 0];
const BLUE: Rgb = [0, 0, 255];
const GREEN: Rgb = [0, 128, 0];
const YELLOW: Rgb = [255, 255, 0];

describe('transitions rendered before composition', () => {
  const dir = useTempDir('prepared-transitions-');
  const clip = new Map<string, { file: string; durationSec: number }>();
  let redTransition = '';

  const normalizedColour = async (name: string, frames = FRAMES) => {
    const source = join(dir(), `${name}-source.mp4`);
    // biome-ignore format: ffmpeg flags and their values read as pairs
    await runFfmpeg(
      ['-f', 'lavfi', '-i', `color=c=${name}:s=320x180:r=30:d=${SCENE_SEC}`, '-c:v', 'libx264', '-preset', 'ultrafast', source],
      { allowLavfi: true },
    );
    const probe = await probeMedia(source);
    checkMediaAllowed(probe);
    const durationSec = frames / 30;
    const normalized = await normalizeClip({
      input: source,
      output: join(dir(), `${name}-${frames}.mp4`),
      format: SMALL_CROSSFADE,
      probe,
      durationSec,
      keyframeTimesSec: transitionKeyframeTimes(durationSec, SMALL_CROSSFADE),
    });
    return { file: normalized.file, durationSec: normalized.durationSec };
  };

  beforeAll(async () => {
    for (const name of ['blue', 'green', 'yellow', 'red']) clip.set(name, await normalizedColour(name));
    const red = clip.get('red')?.file ?? '';
    redTransition = join(dir(), 'red-transition.mp4');
    // As prepare renders one: the overlap of two prepared clips, alone in its file.
    await renderTransitions({
      transitions: [{ from: red, to: red, fromStartFrame: FRAMES - OVERLAP }],
      frames: OVERLAP,
      format: SMALL_CROSSFADE,
      output: redTransition,
    });
  });

  const clips = () =>
    ['blue', 'green', 'yellow'].map((name) => clip.get(name) ?? { file: '', durationSec: 0 });

  it('copies a transition given as rendered and renders the others', async () => {
    // Act: the second transition (green -> yellow) is given; the first is rendered here.
    const composed = await composeTimeline({
      clips: clips(),
      transitions: new Map([[1, redTransition]]),
      format: SMALL_CROSSFADE,
      workDir: dir(),
      output: join(dir(), 'given.mp4'),
    });
    // Assess: blue 0-44, blue into green 45-59, green 60-89, the given red 90-104, yellow 105-149.
    expect(composed).toMatchObject({ mode: 'smart', frames: 3 * FRAMES - 2 * OVERLAP });
    const colours = frameColours(composed.file);
    expect(colours).toHaveLength(150);
    expect(colours.slice(0, 45).every((p) => near(p, BLUE))).toBe(true);
    expect(colours.slice(45, 60).some((p) => near(p, RED))).toBe(false);
    expect(near(colours[52], BLUE) || near(colours[52], GREEN)).toBe(false); // a blend
    expect(colours.slice(60, 90).every((p) => near(p, GREEN))).toBe(true);
    expect(colours.slice(90, 105).every((p) => near(p, RED))).toBe(true);
    expect(colours.slice(105).every((p) => near(p, YELLOW))).toBe(true);
    expect(await decodeErrors(composed.file)).toBe('');
  });

  it('uses given transitions in a chunked composition too', async () => {
    // Act: chunks of one scene each, so the given transition is a chunk's own.
    const composed = await composeChunked({
      clips: clips(),
      transitions: new Map([[0, redTransition]]),
      format: SMALL_CROSSFADE,
      workDir: dir(),
      output: join(dir(), 'given-chunked.mp4'),
      scenesPerChunk: 1,
    });
    // Assess
    const colours = frameColours(composed.file);
    expect(colours).toHaveLength(150);
    expect(colours.slice(45, 60).every((p) => near(p, RED))).toBe(true);
    expect(colours.slice(90, 105).some((p) => near(p, RED))).toBe(false);
    expect(colours.slice(60, 90).every((p) => near(p, GREEN))).toBe(true);
  });

  it('refuses a given transition shorter than the overlap instead of composing it wrongly', async () => {
    // Prepare: a normalized clip of 5 frames handed over as a 15-frame transition.
    const short = await normalizedColour('red', 5);
    // Act
    const act = composeTimeline({
      clips: clips(),
      transitions: new Map([[0, short.file]]),
      format: SMALL_CROSSFADE,
      workDir: dir(),
      output: join(dir(), 'short.mp4'),
    });
    // Assess
    await expect(act).rejects.toBeInstanceOf(ClipNotNormalizedError);
  });
});
