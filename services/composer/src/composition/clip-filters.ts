import type { MediaProbe } from '@reelay/media';
import { AUDIO_SAMPLE_RATE, frameRate, frameTimeBase } from './encoding';
import type { OutputFormat } from './output-format';

/**
 * How a picture of another aspect ratio fills the frame: `letterbox` keeps all of it (bars), as
 * for a user's upload; `cover` fills the frame and crops the overflow, centred, as for a generated
 * scene whose model cannot make the job's aspect (wan t2v makes 16:9 or 9:16 only, so a square job
 * gets a 16:9 clip cropped to the square).
 */
export type PictureFit = 'letterbox' | 'cover';

function fitSteps(w: number, h: number, fit: PictureFit): string[] {
  return fit === 'cover'
    ? [`scale=${w}:${h}:force_original_aspect_ratio=increase:force_divisible_by=2`, `crop=${w}:${h}`]
    : [
        `scale=${w}:${h}:force_original_aspect_ratio=decrease:force_divisible_by=2`,
        `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black`,
      ];
}

/**
 * Video graph for a moving clip: fit to the frame (letterbox or cover), constant frame rate from
 * t=0, held on its last frame when short, cut to exactly `frames`.
 */
export function clipVideoFilter(
  format: OutputFormat,
  probe: MediaProbe,
  frames: number,
  pictureFit: PictureFit = 'letterbox',
): string {
  const { width: w, height: h } = format;
  const fit = [...fitSteps(w, h, pictureFit), 'setsar=1'];
  // start_time=0 pads the start with the first frame when video starts after audio.
  const retime = [`fps=${frameRate(format)}:start_time=0`];
  // Scale the fewer frames: drop frames before scaling a 60 fps source, duplicate after for 24 fps.
  const sourceFps = probe.video?.fps ?? 0;
  const steps = sourceFps > format.fps ? [...retime, ...fit] : [...fit, ...retime];
  return [...steps, 'tpad=stop=-1:stop_mode=clone', `trim=end_frame=${frames}`, 'format=yuv420p'].join(',');
}

/**
 * How a still moves while it is on screen, by its shape against the frame's: a page much taller
 * than the frame pans from its top down to its bottom, a panel much wider pans across from left to
 * right (so all of it is seen, large enough to read), anything else gets the slow zoom.
 */
export type StillMotion = 'zoom' | 'pan-down' | 'pan-across';

/** How far a picture's aspect may stray from the frame's before it pans instead of zooming. */
const PAN_ASPECT_RATIO = 1.25;

export function stillMotionFor(
  picture: { width: number; height: number },
  format: OutputFormat,
): StillMotion {
  if (picture.width <= 0 || picture.height <= 0) return 'zoom';
  const relative = picture.width / picture.height / (format.width / format.height);
  if (relative < 1 / PAN_ASPECT_RATIO) return 'pan-down';
  if (relative > PAN_ASPECT_RATIO) return 'pan-across';
  return 'zoom';
}

/**
 * Video graph for a still. `zoom`: a slow Ken Burns zoom (1.0 to 1.1) drifting left to right; the
 * still is letterboxed once onto a canvas twice the output size, so zoompan's whole-pixel crop
 * positions move in half-pixel steps of the output and the motion does not judder, while every
 * frame is scaled from a bounded canvas rather than from the (possibly huge) original. A pan
 * scales the picture to the canvas's width (`pan-down`) or height (`pan-across`), repeats it for
 * every frame (tpad) and moves a frame-shaped window over it from one end to the other (zoompan's window
 * keeps the input's shape, so it cannot pan a tall page in a wide frame).
 */
export function stillVideoFilter(
  format: OutputFormat,
  frames: number,
  pictureFit: PictureFit = 'letterbox',
  motion: StillMotion = 'zoom',
): string {
  const canvasW = format.width * 2;
  const canvasH = format.height * 2;
  const last = Math.max(1, frames - 1);
  const end = [`trim=end_frame=${frames}`, 'setsar=1', 'format=yuv420p'];
  if (motion !== 'zoom') {
    const down = motion === 'pan-down';
    return [
      down ? `scale=${canvasW}:-2` : `scale=-2:${canvasH}`,
      'setsar=1',
      // tpad, not loop: the static ffmpeg of the Lambda zips has only the filters the code uses
      // (deploy/static-ffmpeg/components.cjs), and tpad is one of them.
      `tpad=stop=${frames - 1}:stop_mode=clone`,
      `settb=${frameTimeBase(format)}`,
      'setpts=N',
      // The link keeps the picture's nominal 25 fps (image2's) without it, and with -fps_mode
      // passthrough the encoder then times frames in 1/25 steps: pts off the job's frame grid and the
      // forced keyframes at the cuts missed (ClipNotNormalizedError at compose). fps only relabels
      // here: every pts is already on its grid.
      `fps=${frameRate(format)}`,
      down
        ? `crop=${canvasW}:${canvasH}:0:'(ih-oh)*n/${last}'`
        : `crop=${canvasW}:${canvasH}:'(iw-ow)*n/${last}':0`,
      `scale=${format.width}:${format.height}`,
      ...end,
    ].join(',');
  }
  return [
    ...fitSteps(canvasW, canvasH, pictureFit),
    'setsar=1',
    `zoompan=z='1+0.1*on/${last}':x='(iw-iw/zoom)*on/${last}':y='(ih-ih/zoom)/2':d=${frames}:s=${format.width}x${format.height}:fps=${frameRate(format)}`,
    ...end,
  ].join(',');
}

/**
 * Audio graph: 48 kHz stereo from t=0, loudness-normalized when given the second pass's filter,
 * padded with silence and cut to exactly `samples`.
 */
export function clipAudioFilter(samples: number, loudness?: string): string {
  return [
    `aresample=${AUDIO_SAMPLE_RATE}:async=1:first_pts=0`,
    ...(loudness ? [loudness, `aresample=${AUDIO_SAMPLE_RATE}`] : []),
    `aformat=sample_fmts=fltp:sample_rates=${AUDIO_SAMPLE_RATE}:channel_layouts=stereo`,
    'apad',
    `atrim=end_sample=${samples}`,
  ].join(',');
}

/** Silence for inputs without audio, so every clip has the same streams. */
export function silentAudioSource(samples: number): string {
  return `anullsrc=r=${AUDIO_SAMPLE_RATE}:cl=stereo,atrim=end_sample=${samples}`;
}
