import type { ScenePlanned } from '@reelay/events';
import type { MediaProbe } from '@reelay/media';
import { ModelOutputRejectedError } from '../errors';

const CONTENT_TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
};
const DEFAULT_EXT: Record<ScenePlanned['kind'], string> = {
  video: 'mp4',
  upload: 'mp4',
  image: 'png',
  narration: 'wav',
  music: 'wav',
};

export interface OutputMedia {
  ext: string;
  contentType: string;
  durationSec: number;
  width: number;
  height: number;
}

/**
 * What a downloaded model output is, checked against what the scene's kind needs: a video stream for
 * video scenes, a still for image scenes, an audio stream (width and height 0) for narration and music.
 */
export function outputMedia(scene: ScenePlanned, probe: MediaProbe, url: string): OutputMedia {
  const fromUrl = /\.([a-z0-9]{2,5})$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  const ext = fromUrl && CONTENT_TYPES[fromUrl] ? fromUrl : DEFAULT_EXT[scene.kind];
  const contentType = CONTENT_TYPES[ext] ?? 'application/octet-stream';
  const reject = (what: string) => new ModelOutputRejectedError(`the ${scene.kind} scene's output ${what}`);
  if (scene.kind === 'narration' || scene.kind === 'music') {
    if (!probe.audio) throw reject('has no audio stream');
    const durationSec = probe.audio.durationSec ?? probe.durationSec;
    if (!(durationSec > 0)) throw reject('has no duration');
    return { ext, contentType, durationSec, width: 0, height: 0 };
  }
  if (!probe.video) throw reject('has no picture');
  if (scene.kind === 'image' || probe.still)
    return {
      ext,
      contentType,
      durationSec: scene.durationSec,
      width: probe.video.width,
      height: probe.video.height,
    };
  const clipSec = probe.video.durationSec ?? probe.durationSec;
  if (!(clipSec > 0)) throw reject('has no duration');
  // A scene lasts what was planned: a model's clip can be longer than that (wan makes at least 81
  // frames, 3.4 s at its top rate), and the composer cuts the clip at the duration announced here.
  const durationSec = Math.min(clipSec, scene.durationSec);
  return { ext, contentType, durationSec, width: probe.video.width, height: probe.video.height };
}
