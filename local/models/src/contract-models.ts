import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkModelInput,
  MODEL_CONTRACTS,
  type ModelContract,
  modelContract,
  primaryLanguage,
} from '@reelay/replicate-models';
import type { LocalModel, PreparedRun, RenderScheduling } from './catalog';
import { renderSpokenText } from './render/espeak-speech';
import { renderImage } from './render/image';
import { imageSize, sizeForArea } from './render/image-size';
import { renderMusic } from './render/music';
import { renderPlan } from './render/planner';
import type { RenderContext, RenderedFile, RenderedOutput } from './render/render-context';
import { type FliteVoice, renderSpeech } from './render/speech';
import { renderVideo } from './render/video';
import { describePictureStyle } from './render/vision';

/**
 * The real Replicate models, served by the twin under their real ids and versions: inputs are
 * validated against the recorded schemas (@reelay/replicate-models) exactly as Replicate does, then
 * rendered locally with ffmpeg/flite into what the real model would return (same sizes, frame
 * counts, durations, formats, output shape).
 */
type Input = Record<string, unknown>;

/** Files of the `format: uri` inputs, downloaded before the model runs (as Replicate does), by field name. */
type Downloads = Record<string, { fileName: string; bytes: Buffer }>;

interface ContractRender {
  /** What faults match on. */
  text: string;
  render(input: Input, files: Downloads, ctx: RenderContext): Promise<RenderedOutput>;
  /** Extra metrics Replicate reports for this model (language models: token counts). */
  metrics?(output: RenderedOutput): Record<string, number>;
}

class ModelRunError extends Error {
  readonly retryable = false;
}

const randomSeed = (): number => Math.floor(Math.random() * 2 ** 31);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const int = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);

/** Wan 2.2 fast's frame sizes (its schema: "16:9 corresponds to 832x480px, and 9:16 is 480x832px"). */
const WAN_SIZES: Record<string, Record<string, [number, number]>> = {
  '480p': { '16:9': [832, 480], '9:16': [480, 832] },
  '720p': { '16:9': [1280, 720], '9:16': [720, 1280] },
};
const AREA_BY_RESOLUTION: Record<string, number> = {
  '480p': 832 * 480,
  '720p': 1280 * 720,
  '1080p': 1920 * 1080,
};

/** FLUX.1's sizes at 1 megapixel per aspect ratio; 0.25 MP halves each side. */
const FLUX_SIZES: Record<string, [number, number]> = {
  '1:1': [1024, 1024],
  '16:9': [1344, 768],
  '21:9': [1536, 640],
  '3:2': [1216, 832],
  '2:3': [832, 1216],
  '4:5': [896, 1088],
  '5:4': [1088, 896],
  '3:4': [896, 1152],
  '4:3': [1152, 896],
  '9:16': [768, 1344],
  '9:21': [640, 1536],
};

/** Kokoro voices spoken by the nearest flite voice: women by slt, British men by awb, American men by rms, others by kal16. */
export function fliteVoiceFor(kokoroVoice: string): FliteVoice {
  if (/^.f_/.test(kokoroVoice)) return 'slt';
  if (kokoroVoice.startsWith('bm_')) return 'awb';
  if (kokoroVoice.startsWith('am_')) return 'rms';
  return 'kal16';
}

/** The language of a recorded voice of a model (undefined for a voice it does not list). */
function voiceLanguage(modelId: string, voice: string): string | undefined {
  return modelContract(modelId).voices?.find((v) => v.id === voice)?.language;
}

/** MiniMax's language_boost value -> BCP-47 primary language (`Vietnamese` -> `vi`). */
function boostLanguage(value: string): string | undefined {
  const values = modelContract('minimax/speech-02-hd').languageInput?.values ?? {};
  return Object.entries(values).find(([, name]) => name === value)?.[0];
}

/** The video size an image-to-video model makes: the image's aspect ratio at the resolution's area. */
function sizeFromImage(
  files: Downloads,
  field: string,
  resolution: string,
): { width: number; height: number } {
  const image = files[field];
  const size = image ? imageSize(image.bytes) : undefined;
  if (!size) throw new ModelRunError(`${field}: cannot identify image file`);
  return sizeForArea(
    AREA_BY_RESOLUTION[resolution] ?? AREA_BY_RESOLUTION['480p'] ?? 0,
    size.width,
    size.height,
  );
}

const RENDERS: Record<string, (input: Input) => ContractRender> = {
  'wan-video/wan-2.2-t2v-fast': (input) => ({
    text: str(input.prompt),
    render: (i, _files, ctx) => {
      const [width, height] = WAN_SIZES[str(i.resolution)]?.[str(i.aspect_ratio)] ?? [832, 480];
      const fps = int(i.frames_per_second, 16);
      return renderVideo(
        {
          prompt: str(i.prompt),
          durationSec: int(i.num_frames, 81) / fps,
          width,
          height,
          fps,
          seed: int(i.seed, randomSeed()),
        },
        ctx,
      );
    },
  }),
  'wan-video/wan-2.2-i2v-fast': (input) => ({
    text: str(input.prompt),
    render: (i, files, ctx) => {
      const fps = int(i.frames_per_second, 16);
      return renderVideo(
        {
          prompt: str(i.prompt),
          durationSec: int(i.num_frames, 81) / fps,
          ...sizeFromImage(files, 'image', str(i.resolution)),
          fps,
          seed: int(i.seed, randomSeed()),
          firstFrameFile: files.image?.fileName,
        },
        ctx,
      );
    },
  }),
  'kwaivgi/kling-v2.1': (input) => ({
    text: str(input.prompt),
    render: (i, files, ctx) =>
      renderVideo(
        {
          prompt: str(i.prompt),
          durationSec: int(i.duration, 5),
          ...sizeFromImage(files, 'start_image', i.mode === 'pro' ? '1080p' : '720p'),
          fps: 24,
          seed: randomSeed(),
          firstFrameFile: files.start_image?.fileName,
        },
        ctx,
      ),
  }),
  'black-forest-labs/flux-schnell': (input) => ({
    text: str(input.prompt),
    render: async (i, _files, ctx) => {
      const [w, h] = FLUX_SIZES[str(i.aspect_ratio)] ?? [1024, 1024];
      const scale = i.megapixels === '0.25' ? 0.5 : 1;
      const round16 = (v: number) => Math.round((v * scale) / 16) * 16;
      const seed = int(i.seed, randomSeed());
      const files: RenderedFile[] = [];
      for (let n = 0; n < int(i.num_outputs, 1); n += 1) {
        files.push(
          await renderImage(
            {
              prompt: str(i.prompt),
              width: round16(w),
              height: round16(h),
              seed: seed + n,
              fileName: `out-${n}.${str(i.output_format) || 'webp'}`,
            },
            ctx,
          ),
        );
      }
      return { files };
    },
  }),
  'jaaari/kokoro-82m': (input) => ({
    text: str(input.text),
    render: (i, _files, ctx) => {
      // Kokoro's voice decides its language (jf_alpha speaks Japanese): flite for English, else espeak-ng.
      const language = voiceLanguage('jaaari/kokoro-82m', str(i.voice)) ?? 'en';
      return primaryLanguage(language) === 'en'
        ? renderSpeech({ text: str(i.text), voice: fliteVoiceFor(str(i.voice)), speed: int(i.speed, 1) }, ctx)
        : renderSpokenText({ text: str(i.text), language, speed: int(i.speed, 1), format: 'wav' }, ctx);
    },
  }),
  'minimax/speech-02-hd': (input) => ({
    text: str(input.text),
    render: (i, _files, ctx) => {
      // The language: language_boost when it names one, else the voice's (Vietnamese_kindhearted_girl).
      const language =
        boostLanguage(str(i.language_boost)) ??
        voiceLanguage('minimax/speech-02-hd', str(i.voice_id)) ??
        'en';
      const speed = int(i.speed, 1);
      return primaryLanguage(language) === 'en'
        ? renderSpeech({ text: str(i.text), voice: 'slt', speed, format: 'mp3' }, ctx)
        : renderSpokenText({ text: str(i.text), language, speed, format: 'mp3' }, ctx);
    },
  }),
  'meta/musicgen': (input) => ({
    text: str(input.prompt),
    render: (i, _files, ctx) => {
      const duration = int(i.duration, 8);
      if (duration < 1) throw new ModelRunError('duration must be at least 1 second');
      return renderMusic(
        {
          prompt: str(i.prompt),
          durationSec: duration,
          seed: int(i.seed, -1) >= 0 ? int(i.seed, 0) : randomSeed(),
          format: i.output_format === 'mp3' ? 'mp3' : 'wav',
        },
        ctx,
      );
    },
  }),
  'yorickvp/llava-13b': (input) => ({
    text: str(input.prompt),
    render: async (i, files, ctx) => {
      const image = files.image;
      if (!image) throw new ModelRunError('image: cannot identify image file');
      return describePictureStyle(image.fileName, int(i.max_tokens, 1024), ctx);
    },
    metrics: (output) => ({
      input_token_count: Math.ceil(str(input.prompt).length / 4),
      output_token_count: 'inline' in output ? output.inline.length : 0,
    }),
  }),
  'meta/meta-llama-3-8b-instruct': (input) => ({
    // Faults match on a scene's prompt; the planner's quotes the job's, so it matches on its model only.
    text: '',
    render: async (i) => {
      const plan = renderPlan(str(i.prompt));
      // The model stops after max_tokens tokens, whatever it was saying.
      return { inline: plan.inline.slice(0, Math.max(1, int(i.max_tokens, 512))) };
    },
    metrics: (output) => ({
      // Replicate's language models report token counts; roughly four characters a token.
      input_token_count: Math.ceil((str(input.prompt).length + str(input.system_prompt).length) / 4),
      output_token_count: 'inline' in output ? output.inline.length : 0,
    }),
  }),
};

const SCHEDULING: Record<string, RenderScheduling> = {
  'meta/meta-llama-3-8b-instruct': { lane: 'light', priority: 0 },
  'yorickvp/llava-13b': { lane: 'light', priority: 0 },
  'jaaari/kokoro-82m': { lane: 'light', priority: 1 },
  'minimax/speech-02-hd': { lane: 'light', priority: 1 },
  'meta/musicgen': { lane: 'heavy', priority: 2 },
};

const EXT_BY_TYPE: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/mpeg': 'mp3',
};

/** Downloads every `format: uri` input the way Replicate does before the model runs. */
async function downloadUriInputs(
  contract: ModelContract,
  input: Input,
  ctx: RenderContext,
): Promise<Downloads> {
  const properties = (contract.schemas.Input.properties ?? {}) as Record<string, { format?: string }>;
  const files: Downloads = {};
  for (const [name, property] of Object.entries(properties)) {
    const url = input[name];
    if (property.format !== 'uri' || typeof url !== 'string') continue;
    if (!ctx.fetchInput) throw new ModelRunError(`${name}: no way to fetch URL inputs`);
    const fetched = await ctx.fetchInput(url, ctx.signal, `input.${name}`);
    const fileName = `input-${name}.${EXT_BY_TYPE[fetched.contentType] ?? 'bin'}`;
    await writeFile(join(ctx.dir, fileName), fetched.body);
    files[name] = { fileName, bytes: fetched.body };
  }
  return files;
}

function contractModel(contract: ModelContract): LocalModel {
  const plan = RENDERS[contract.id];
  if (!plan) throw new Error(`the twin has no local rendering for ${contract.id}`);
  return {
    owner: contract.owner,
    name: contract.name,
    id: contract.id,
    version: contract.version,
    official: contract.official,
    fetchesInputsLikeReplicate: true,
    description: contract.description,
    openApiSchema: { openapi: '3.0.2', components: { schemas: contract.schemas } },
    scheduling: SCHEDULING[contract.id] ?? { lane: 'heavy', priority: 1 },
    prepare(input) {
      const checked = checkModelInput(contract, input);
      if (!checked.ok) return { ok: false, invalid: checked.invalidFields };
      const run = plan(checked.input);
      const prepared: PreparedRun = {
        // The prediction shows the input as it was sent; the model runs with the defaults filled in.
        input,
        text: run.text,
        render: async (ctx) =>
          run.render(checked.input, await downloadUriInputs(contract, checked.input, ctx), ctx),
        ...(run.metrics ? { metrics: run.metrics } : {}),
      };
      return { ok: true, run: prepared };
    },
  };
}

/** The twin's real-id models, one per recorded contract. */
export const CONTRACT_MODELS: readonly LocalModel[] = MODEL_CONTRACTS.map(contractModel);
