import type { ScenePlanned } from '@reelay/events';
import { findModelContract, languageInputValue, type ModelContract } from '@reelay/replicate-models';
import { ModelInputUnsupportedError } from '../errors';

/**
 * One input mapping per model, from a planned scene to the input schema Replicate publishes for it
 * (recorded in @reelay/replicate-models). What a model cannot make is decided here, never sent
 * as-is for the model to refuse with a 422:
 * - aspect ratios: the nearest one the model makes; the composer crops its output to the job's
 *   frame (it scales to cover and crops, see services/composer/src/composing);
 * - durations: frames and frame rate (Wan) or the duration enum (Kling) chosen to cover the scene;
 *   the composer trims what is longer;
 * - first frames of chained scenes go under the model's own input name (`image`, `start_image`).
 * A model without a recorded contract gets its kind's most common field names.
 */
export interface PredictionInputOptions {
  /** A URL the model can fetch the previous scene's last frame from (chained scenes). */
  firstFrameUrl?: string;
}

type Input = Record<string, unknown>;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

const spokenText = (scene: ScenePlanned) => scene.narration ?? scene.prompt;

/** The schema of one input field (its own keys, or those of the enum it references). */
function field(contract: ModelContract, name: string): Record<string, unknown> {
  const input = contract.schemas.Input as { properties?: Record<string, Record<string, unknown>> };
  const prop = input.properties?.[name] ?? {};
  const ref = (prop.allOf as Array<{ $ref?: string }> | undefined)?.[0]?.$ref;
  const target = ref ? contract.schemas[ref.split('/').pop() ?? ''] : undefined;
  return { ...prop, ...(target ?? {}) };
}

const hasField = (contract: ModelContract, name: string) =>
  Boolean((contract.schemas.Input as { properties?: Record<string, unknown> }).properties?.[name]);

function enumOf<T>(contract: ModelContract, name: string): T[] {
  return (field(contract, name).enum as T[] | undefined) ?? [];
}

function rangeOf(contract: ModelContract, name: string, fallback: [number, number]): [number, number] {
  const f = field(contract, name);
  return [
    typeof f.minimum === 'number' ? f.minimum : fallback[0],
    typeof f.maximum === 'number' ? f.maximum : fallback[1],
  ];
}

/**
 * The model's aspect ratio nearest the job's frame (by the log of width/height, so 16:9 and 9:16
 * are equally far from 1:1; a tie goes to the first listed). For wan t2v (16:9 or 9:16 only) a
 * square job gets 16:9, which the composer crops to the square.
 */
export function nearestAspectRatio(
  { width, height }: Pick<ScenePlanned['output'], 'width' | 'height'>,
  supported: readonly string[],
): string | undefined {
  const want = Math.log(width / height);
  let best: { ratio: string; distance: number } | undefined;
  for (const ratio of supported) {
    const [w, h] = ratio.split(':').map(Number);
    if (!w || !h) continue;
    const distance = Math.abs(Math.log(w / h) - want);
    if (!best || distance < best.distance - 1e-9) best = { ratio, distance };
  }
  return best?.ratio;
}

/** 720p when the job's frame is at least 720 on its short side, else 480p (when the model has both). */
function resolutionFor(contract: ModelContract, output: ScenePlanned['output']): string | undefined {
  const resolutions = enumOf<string>(contract, 'resolution');
  if (resolutions.length === 0) return undefined;
  const want = Math.min(output.width, output.height) >= 720 ? '720p' : '480p';
  return resolutions.includes(want) ? want : resolutions[resolutions.length - 1];
}

/**
 * Wan 2.2 fast makes num_frames (81–100) at frames_per_second (5–24): duration = frames / fps. It is
 * billed by frames (at 16 fps), so the fewest frames are used, at the highest rate whose
 * frames / fps still covers the scene; a scene longer than 81 frames at the lowest rate gets more
 * frames. Scenes shorter than the shortest clip are trimmed by the composer.
 */
export function wanFrames(contract: ModelContract, durationSec: number) {
  const [minFrames, maxFrames] = rangeOf(contract, 'num_frames', [81, 100]);
  const [minFps, maxFps] = rangeOf(contract, 'frames_per_second', [5, 24]);
  const fps = clamp(Math.floor(minFrames / durationSec), minFps, maxFps);
  const frames = clamp(Math.ceil(durationSec * fps), minFrames, maxFrames);
  return { num_frames: frames, frames_per_second: fps };
}

function wanInput(contract: ModelContract, scene: ScenePlanned, opts: PredictionInputOptions): Input {
  const takesImage = hasField(contract, 'image');
  if (takesImage && !opts.firstFrameUrl)
    throw new ModelInputUnsupportedError(
      `${contract.id} needs a first frame (input "image"); scene ${scene.sceneIndex} has none`,
    );
  const aspect = hasField(contract, 'aspect_ratio')
    ? nearestAspectRatio(scene.output, enumOf<string>(contract, 'aspect_ratio'))
    : undefined;
  const resolution = resolutionFor(contract, scene.output);
  return {
    prompt: scene.prompt,
    ...wanFrames(contract, scene.durationSec),
    ...(resolution ? { resolution } : {}),
    ...(aspect ? { aspect_ratio: aspect } : {}),
    seed: scene.seed,
    go_fast: true,
    ...(takesImage ? { image: opts.firstFrameUrl } : {}),
  };
}

/** Kling v2.1 starts from an image (`start_image`, required), makes 5 or 10 s, and has no aspect_ratio. */
function klingInput(contract: ModelContract, scene: ScenePlanned, opts: PredictionInputOptions): Input {
  if (!opts.firstFrameUrl)
    throw new ModelInputUnsupportedError(
      `${contract.id} needs a start image; only chained video scenes (recipe "ad") can use it`,
    );
  const durations = enumOf<number>(contract, 'duration').sort((a, b) => a - b);
  const duration = durations.find((d) => d >= scene.durationSec) ?? durations[durations.length - 1] ?? 5;
  return { prompt: scene.prompt, duration, mode: 'standard', start_image: opts.firstFrameUrl };
}

function fluxInput(contract: ModelContract, scene: ScenePlanned): Input {
  const aspect = nearestAspectRatio(scene.output, enumOf<string>(contract, 'aspect_ratio'));
  return {
    prompt: scene.prompt,
    ...(aspect ? { aspect_ratio: aspect } : {}),
    seed: scene.seed,
    num_outputs: 1,
    output_format: 'png',
    go_fast: true,
  };
}

/** The scene's voice when the model has it (the api refuses others), else the schema's default. */
function kokoroInput(contract: ModelContract, scene: ScenePlanned): Input {
  const known = (contract.voices ?? []).some((v) => v.id === scene.voice);
  const fallback = field(contract, 'voice').default;
  return {
    text: spokenText(scene),
    ...(known ? { voice: scene.voice } : typeof fallback === 'string' ? { voice: fallback } : {}),
    speed: 1,
  };
}

/**
 * A speech model whose language is an input (MiniMax speech-02: `voice_id`, `language_boost`): the
 * scene's voice (planning chose one the model has for the language), and the language named the way
 * the model's enum names it (`vi` -> `Vietnamese`).
 */
function multilingualSpeechInput(contract: ModelContract, scene: ScenePlanned): Input {
  const voiceField = contract.voiceInput ?? 'voice';
  const language = scene.language ? languageInputValue(contract, scene.language) : undefined;
  return {
    text: spokenText(scene),
    ...(scene.voice ? { [voiceField]: scene.voice } : {}),
    ...(language ? { [language.field]: language.value } : {}),
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

function aspectName({ width, height }: ScenePlanned['output']): string {
  if (width === height) return '1:1';
  return width > height ? '16:9' : '9:16';
}

/** A model we hold no contract for: its kind's most common field names. */
function genericInput(scene: ScenePlanned, opts: PredictionInputOptions): Input {
  switch (scene.kind) {
    case 'narration':
      return { text: spokenText(scene), ...(scene.voice ? { voice: scene.voice } : {}) };
    case 'music':
      return { prompt: scene.prompt, duration: Math.ceil(scene.durationSec), seed: scene.seed };
    case 'image':
      return { prompt: scene.prompt, aspect_ratio: aspectName(scene.output), seed: scene.seed };
    default:
      return {
        prompt: scene.prompt,
        duration: Math.ceil(scene.durationSec),
        aspect_ratio: aspectName(scene.output),
        seed: scene.seed,
        ...(opts.firstFrameUrl ? { image: opts.firstFrameUrl } : {}),
      };
  }
}

/** Maps a planned scene onto the input of its model. */
export function predictionInput(scene: ScenePlanned, opts: PredictionInputOptions = {}): Input {
  const contract = findModelContract(scene.model.split(':')[0] ?? scene.model);
  if (!contract) return genericInput(scene, opts);
  switch (contract.owner) {
    case 'wan-video':
      return wanInput(contract, scene, opts);
    case 'kwaivgi':
      return klingInput(contract, scene, opts);
    case 'black-forest-labs':
      return fluxInput(contract, scene);
    case 'minimax':
      return multilingualSpeechInput(contract, scene);
    default:
      if (contract.name.includes('kokoro')) return kokoroInput(contract, scene);
      if (contract.name.includes('musicgen')) return musicgenInput(scene);
      return genericInput(scene, opts);
  }
}

/** The planning LLM's input (Replicate's instruct LLMs share these names). */
export function plannerInput(_model: string, prompt: string, systemPrompt: string): Input {
  return { prompt, system_prompt: systemPrompt, max_tokens: 2048, temperature: 0.4 };
}
