import { makeScenePlanned } from '@reelay/events';
import { modelContract, validateModelInput } from '@reelay/replicate-models';
import { ModelInputUnsupportedError } from '../../../src/errors';
import { DEFAULT_MODELS, modelCatalog, modelForScene } from '../../../src/models/model-catalog';
import { nearestAspectRatio, predictionInput } from '../../../src/models/model-inputs';
import { predictionCost, priceTableFromEnv } from '../../../src/models/model-prices';
import { predictionTarget } from '../../../src/models/model-target';

const output = {
  width: 854,
  height: 480,
  fps: 30,
  transition: 'crossfade' as const,
  transitionSec: 0.5,
  captions: 'soft' as const,
};
const square = { ...output, width: 720, height: 720 };
const portrait = { ...output, width: 720, height: 1280 };
const frame = 'https://example.com/frame.jpg';

describe('the model catalog', () => {
  it('is one set of real Replicate ids, with MODEL_<ROLE> overrides and a malformed id refused at start', () => {
    const catalog = modelCatalog({ MODEL_VIDEO: 'kwaivgi/kling-v2.1', MODEL_PLANNER: ' ' });

    expect(DEFAULT_MODELS.video).toBe('wan-video/wan-2.2-t2v-fast');
    expect(catalog.video).toBe('kwaivgi/kling-v2.1');
    expect(catalog.planner).toBe(DEFAULT_MODELS.planner);
    expect(() => modelCatalog({ MODEL_MUSIC: 'not a model' })).toThrow('MODEL_MUSIC');
  });

  it('renders a chained video scene with a model that takes its first frame', () => {
    const catalog = DEFAULT_MODELS;

    expect(modelForScene('video', catalog, {}, { chained: true })).toBe('wan-video/wan-2.2-i2v-fast');
    expect(modelForScene('video', catalog, { video: 'kwaivgi/kling-v2.1' }, { chained: true })).toBe(
      'kwaivgi/kling-v2.1',
    );
    // A text-only model would lose the frame the chain is made of.
    expect(modelForScene('video', catalog, { video: 'wan-video/wan-2.2-t2v-fast' }, { chained: true })).toBe(
      'wan-video/wan-2.2-i2v-fast',
    );
    expect(modelForScene('narration', catalog)).toBe('jaaari/kokoro-82m');
  });
});

describe('how each model is called', () => {
  it('official models by name, community models by their pinned version, pinned ids by version', () => {
    const kokoro = modelContract('jaaari/kokoro-82m');
    const pinned = 'wan-video/wan-2.2-t2v-fast:'.concat('a'.repeat(64));

    expect(predictionTarget('wan-video/wan-2.2-t2v-fast')).toEqual({ model: 'wan-video/wan-2.2-t2v-fast' });
    expect(predictionTarget('jaaari/kokoro-82m')).toEqual({ version: kokoro.version });
    expect(predictionTarget('meta/musicgen')).toEqual({ version: modelContract('meta/musicgen').version });
    expect(predictionTarget(pinned)).toEqual({ version: 'a'.repeat(64) });
    expect(predictionTarget('someone/unknown')).toEqual({ model: 'someone/unknown' });
  });
});

describe("each default model's input is valid for its recorded schema", () => {
  const cases = [
    ['wan t2v 16:9', makeScenePlanned({ model: DEFAULT_MODELS.video, output, durationSec: 4 }), {}],
    ['wan t2v 1:1', makeScenePlanned({ model: DEFAULT_MODELS.video, output: square, durationSec: 10 }), {}],
    ['wan t2v 9:16', makeScenePlanned({ model: DEFAULT_MODELS.video, output: portrait, durationSec: 1 }), {}],
    [
      'wan i2v 1:1',
      makeScenePlanned({ model: DEFAULT_MODELS.videoFromImage, output: square }),
      { firstFrameUrl: frame },
    ],
    ['kling', makeScenePlanned({ model: 'kwaivgi/kling-v2.1', durationSec: 7 }), { firstFrameUrl: frame }],
    ['flux 1:1', makeScenePlanned({ kind: 'image', model: DEFAULT_MODELS.image, output: square }), {}],
    [
      'kokoro',
      makeScenePlanned({
        kind: 'narration',
        model: DEFAULT_MODELS.speech,
        narration: 'Hi.',
        voice: 'bm_george',
      }),
      {},
    ],
    ['musicgen', makeScenePlanned({ kind: 'music', model: DEFAULT_MODELS.music, durationSec: 41.5 }), {}],
  ] as const;

  it.each(cases)('%s', (_name, scene, opts) => {
    const input = predictionInput(scene, opts);

    expect(validateModelInput(scene.model, input)).toEqual([]);
  });
});

describe('what a model cannot make is handled, never sent as-is', () => {
  it('a square job asks wan t2v (16:9 or 9:16 only) for 16:9, which the composer crops to the square', () => {
    const input = predictionInput(makeScenePlanned({ model: DEFAULT_MODELS.video, output: square }));

    expect(input.aspect_ratio).toBe('16:9');
    expect(nearestAspectRatio(portrait, ['16:9', '9:16'])).toBe('9:16');
    expect(nearestAspectRatio({ width: 1000, height: 1000 }, ['1:1', '16:9'])).toBe('1:1');
  });

  it('wan frames and frame rate cover the scene within the schema ranges, fewest frames first', () => {
    const at = (durationSec: number) =>
      predictionInput(makeScenePlanned({ model: DEFAULT_MODELS.video, output, durationSec }));

    for (const seconds of [1, 2.5, 4, 5, 7.3, 10]) {
      const { num_frames: frames = 0, frames_per_second: fps = 1 } = at(seconds) as Record<string, number>;
      expect(frames / fps).toBeGreaterThanOrEqual(Math.min(seconds, 81 / 24));
      expect(frames).toBeGreaterThanOrEqual(81);
      expect(frames).toBeLessThanOrEqual(100);
      expect(fps).toBeGreaterThanOrEqual(5);
      expect(fps).toBeLessThanOrEqual(24);
    }
    expect(at(4)).toMatchObject({ num_frames: 81, frames_per_second: 20, resolution: '480p' });
  });

  it('wan renders 720p for a 720p job', () => {
    const input = predictionInput(
      makeScenePlanned({ model: DEFAULT_MODELS.video, output: { ...output, width: 1280, height: 720 } }),
    );

    expect(input.resolution).toBe('720p');
  });

  it('a chained scene gets its first frame under the model own name: wan i2v `image`, kling `start_image`', () => {
    const wan = predictionInput(makeScenePlanned({ model: DEFAULT_MODELS.videoFromImage }), {
      firstFrameUrl: frame,
    });
    const kling = predictionInput(makeScenePlanned({ model: 'kwaivgi/kling-v2.1', durationSec: 4 }), {
      firstFrameUrl: frame,
    });

    expect(wan).toMatchObject({ image: frame });
    expect(wan).not.toHaveProperty('aspect_ratio');
    expect(kling).toEqual({ prompt: expect.any(String), duration: 5, mode: 'standard', start_image: frame });
  });

  it('a model that needs a start image refuses a scene without one by name', () => {
    expect(() => predictionInput(makeScenePlanned({ model: 'kwaivgi/kling-v2.1' }))).toThrow(
      ModelInputUnsupportedError,
    );
  });

  it("speech gets the narration text and a voice the model has, else the model's default", () => {
    const base = { kind: 'narration' as const, narration: 'Meet the bottle.', model: DEFAULT_MODELS.speech };

    expect(predictionInput(makeScenePlanned({ ...base, voice: 'bm_george' }))).toEqual({
      text: 'Meet the bottle.',
      voice: 'bm_george',
      speed: 1,
    });
    expect(predictionInput(makeScenePlanned({ ...base, voice: 'af_heart' }))).toMatchObject({
      voice: 'af_bella',
    });
  });

  it('music gets a whole number of seconds within what musicgen renders well', () => {
    const scene = makeScenePlanned({ kind: 'music', durationSec: 41.5, model: DEFAULT_MODELS.music });

    expect(predictionInput(scene)).toMatchObject({ duration: 30 });
  });

  it('flux images get the aspect ratio nearest the job', () => {
    const scene = makeScenePlanned({ kind: 'image', model: DEFAULT_MODELS.image, output: portrait });

    expect(predictionInput(scene)).toMatchObject({ aspect_ratio: '9:16', num_outputs: 1 });
  });
});

describe('prices by the real billing unit', () => {
  it('wan per second of output at its resolution, kling per second, flux per image, llama per token', () => {
    const wan720 = { num_frames: 81, resolution: '720p', prompt: 'x' };

    expect(predictionCost('wan-video/wan-2.2-t2v-fast', { input: wan720 })).toBeCloseTo((81 / 16) * 0.02, 6);
    expect(
      predictionCost('wan-video/wan-2.2-t2v-fast', { input: { ...wan720, resolution: '480p' } }),
    ).toBeCloseTo((81 / 16) * 0.01, 6);
    expect(
      predictionCost('kwaivgi/kling-v2.1', { input: { prompt: 'x', duration: 10, start_image: frame } }),
    ).toBe(0.5);
    expect(predictionCost('black-forest-labs/flux-schnell', { input: { prompt: 'x' }, output: ['u'] })).toBe(
      0.003,
    );
    expect(
      predictionCost('meta/meta-llama-3-8b-instruct', {
        input: { prompt: 'x' },
        metrics: { predict_time: 3, input_token_count: 1_000_000, output_token_count: 1_000_000 },
      }),
    ).toBeCloseTo(0.3, 6);
  });

  it('community models by hardware time, whatever version id they are called by', () => {
    const version = modelContract('meta/musicgen').version;

    expect(predictionCost(`meta/musicgen:${version}`, { metrics: { predict_time: 10 } })).toBe(0.014);
  });

  it('takes prices of other models from MODEL_PRICES and refuses a malformed table', () => {
    const table = priceTableFromEnv({ MODEL_PRICES: '{"someone/upscaler":{"perOutput":0.02}}' });

    expect(predictionCost('someone/upscaler', { metrics: { predict_time: 10 } }, undefined, table)).toBe(
      0.02,
    );
    expect(() => priceTableFromEnv({ MODEL_PRICES: '{"a/b":{"perMinute":1}}' })).toThrow();
  });
});
