import type { ScenePlanned } from '@reelay/events';

/**
 * Each model family's input, mapped from a planned scene. Families are recognised by model id;
 * an unknown model of a kind gets that kind's most common field names.
 */
export interface PredictionInputOptions {
  /** A URL the model can fetch the previous scene's last frame from (chained scenes). */
  firstFrameUrl?: string;
}

type Input = Record<string, unknown>;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

const LOCAL_VOICES = ['slt', 'kal16', 'kal', 'awb', 'rms'] as const;
/** Kokoro voice names: language+gender prefix, then a name (af_bella, bm_george, ...). */
const KOKORO_VOICE = /^[abefhijpz][fm]_[a-z]+$/;

function aspectRatio({ width, height }: ScenePlanned['output']): string {
  if (width === height) return '1:1';
  return width > height ? '16:9' : '9:16';
}

const spokenText = (scene: ScenePlanned) => scene.narration ?? scene.prompt;

function localInput(scene: ScenePlanned, opts: PredictionInputOptions): Input {
  switch (scene.kind) {
    case 'narration':
      return {
        text: spokenText(scene),
        voice: LOCAL_VOICES.find((v) => v === scene.voice) ?? 'slt',
      };
    case 'music':
      return { prompt: scene.prompt, duration_sec: clamp(scene.durationSec, 1, 300), seed: scene.seed };
    case 'image':
      return {
        prompt: scene.prompt,
        width: clamp(scene.output.width, 64, 2048),
        height: clamp(scene.output.height, 64, 2048),
        seed: scene.seed,
      };
    default:
      return {
        prompt: scene.prompt,
        duration_sec: clamp(scene.durationSec, 1, 10),
        width: scene.output.width,
        height: scene.output.height,
        fps: scene.output.fps,
        seed: scene.seed,
        ...(opts.firstFrameUrl ? { first_frame_url: opts.firstFrameUrl } : {}),
      };
  }
}

/**
 * Wan 2.2 fast renders 81–121 frames at 5–30 fps: the frame rate is chosen so 81 frames last the
 * scene (exact from 2.7 s up; shorter scenes are trimmed by the composer).
 */
function wanInput(scene: ScenePlanned, opts: PredictionInputOptions, imageToVideo: boolean): Input {
  return {
    prompt: scene.prompt,
    num_frames: 81,
    frames_per_second: clamp(Math.round(80 / scene.durationSec), 5, 30),
    resolution: scene.output.height >= 720 && scene.output.width >= 720 ? '720p' : '480p',
    aspect_ratio: aspectRatio(scene.output),
    seed: scene.seed,
    go_fast: true,
    ...(imageToVideo && opts.firstFrameUrl ? { image: opts.firstFrameUrl } : {}),
  };
}

function klingInput(scene: ScenePlanned, opts: PredictionInputOptions): Input {
  return {
    prompt: scene.prompt,
    duration: scene.durationSec > 5 ? 10 : 5,
    aspect_ratio: aspectRatio(scene.output),
    ...(opts.firstFrameUrl ? { start_image: opts.firstFrameUrl } : {}),
  };
}

function fluxInput(scene: ScenePlanned): Input {
  return {
    prompt: scene.prompt,
    aspect_ratio: aspectRatio(scene.output),
    seed: scene.seed,
    num_outputs: 1,
    output_format: 'png',
    go_fast: true,
  };
}

function kokoroInput(scene: ScenePlanned): Input {
  return {
    text: spokenText(scene),
    voice: scene.voice && KOKORO_VOICE.test(scene.voice) ? scene.voice : 'af_bella',
    speed: 1,
  };
}

/** MusicGen renders at most 30 s well; a longer bed is looped by the composer. */
function musicgenInput(scene: ScenePlanned): Input {
  return {
    prompt: scene.prompt,
    duration: clamp(Math.ceil(scene.durationSec), 1, 30),
    model_version: 'stereo-large',
    output_format: 'wav',
    normalization_strategy: 'loudness',
    seed: scene.seed,
  };
}

function genericInput(scene: ScenePlanned, opts: PredictionInputOptions): Input {
  switch (scene.kind) {
    case 'narration':
      return { text: spokenText(scene), ...(scene.voice ? { voice: scene.voice } : {}) };
    case 'music':
      return { prompt: scene.prompt, duration: Math.ceil(scene.durationSec), seed: scene.seed };
    case 'image':
      return { prompt: scene.prompt, aspect_ratio: aspectRatio(scene.output), seed: scene.seed };
    default:
      return {
        prompt: scene.prompt,
        duration: Math.ceil(scene.durationSec),
        aspect_ratio: aspectRatio(scene.output),
        seed: scene.seed,
        ...(opts.firstFrameUrl ? { image: opts.firstFrameUrl } : {}),
      };
  }
}

/** Maps a planned scene onto the input its model family expects. */
export function predictionInput(scene: ScenePlanned, opts: PredictionInputOptions = {}): Input {
  const model = scene.model.split(':')[0] ?? scene.model;
  if (model.startsWith('reelay-local/')) return localInput(scene, opts);
  if (model.startsWith('wan-video/')) return wanInput(scene, opts, model.includes('i2v'));
  if (model.startsWith('kwaivgi/kling')) return klingInput(scene, opts);
  if (model.startsWith('black-forest-labs/flux')) return fluxInput(scene);
  if (model.includes('kokoro')) return kokoroInput(scene);
  if (model.includes('musicgen')) return musicgenInput(scene);
  return genericInput(scene, opts);
}

/** The planning LLM's input (Replicate's instruct LLMs share these names). */
export function plannerInput(model: string, prompt: string, systemPrompt: string): Input {
  if (model.startsWith('reelay-local/')) return { prompt, system_prompt: systemPrompt };
  return { prompt, system_prompt: systemPrompt, max_tokens: 2048, temperature: 0.4 };
}
