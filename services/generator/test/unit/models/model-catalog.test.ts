import { makeScenePlanned } from '@reelay/events';
import { DEFAULT_MODELS, modelCatalog, modelForScene } from '../../../src/models/model-catalog';
import { predictionInput } from '../../../src/models/model-inputs';
import { predictionCost, priceTableFromEnv } from '../../../src/models/model-prices';

const output = {
  width: 854,
  height: 480,
  fps: 30,
  transition: 'crossfade' as const,
  transitionSec: 0.5,
  captions: 'soft' as const,
};

describe('the model catalog', () => {
  it('takes MODEL_<ROLE> overrides from configuration and refuses a malformed id at start', () => {
    const catalog = modelCatalog('replicate', { MODEL_VIDEO: 'kwaivgi/kling-v2.1', MODEL_PLANNER: ' ' });

    expect(catalog.video).toBe('kwaivgi/kling-v2.1');
    expect(catalog.planner).toBe(DEFAULT_MODELS.replicate.planner);
    expect(() => modelCatalog('replicate', { MODEL_MUSIC: 'not a model' })).toThrow('MODEL_MUSIC');
  });

  it('renders a chained video scene with the image-to-video model unless the job chose its own', () => {
    const catalog = DEFAULT_MODELS.replicate;

    expect(modelForScene('video', catalog, {}, { chained: true })).toBe('wan-video/wan-2.2-i2v-fast');
    expect(modelForScene('video', catalog, { video: 'a/b' }, { chained: true })).toBe('a/b');
    expect(modelForScene('narration', catalog)).toBe('jaaari/kokoro-82m');
  });
});

describe("each model family's input", () => {
  it('local video: size, fps, duration and seed of the scene, and the first frame of a chained scene', () => {
    const scene = makeScenePlanned({ model: 'reelay-local/text-to-video', durationSec: 2, seed: 9, output });

    expect(predictionInput(scene, { firstFrameUrl: 'http://127.0.0.1:1/f.jpg' })).toEqual({
      prompt: scene.prompt,
      duration_sec: 2,
      width: 854,
      height: 480,
      fps: 30,
      seed: 9,
      first_frame_url: 'http://127.0.0.1:1/f.jpg',
    });
  });

  it('wan image-to-video gets the first frame as `image`, 81 frames at a rate that lasts the scene', () => {
    const scene = makeScenePlanned({ model: 'wan-video/wan-2.2-i2v-fast', durationSec: 4, output });

    expect(predictionInput(scene, { firstFrameUrl: 'https://x/f.jpg' })).toMatchObject({
      image: 'https://x/f.jpg',
      num_frames: 81,
      frames_per_second: 20,
      resolution: '480p',
      aspect_ratio: '16:9',
    });
  });

  it('speech gets the narration text and a voice the model knows (its default otherwise)', () => {
    const base = { kind: 'narration' as const, narration: 'Meet the bottle.', prompt: 'Meet the bottle.' };

    expect(
      predictionInput(makeScenePlanned({ ...base, model: 'jaaari/kokoro-82m', voice: 'bm_george' })),
    ).toEqual({
      text: 'Meet the bottle.',
      voice: 'bm_george',
      speed: 1,
    });
    expect(
      predictionInput(
        makeScenePlanned({ ...base, model: 'reelay-local/text-to-speech', voice: 'bm_george' }),
      ),
    ).toEqual({
      text: 'Meet the bottle.',
      voice: 'slt',
    });
  });

  it('music gets a whole number of seconds within what the family renders', () => {
    const scene = { kind: 'music' as const, durationSec: 41.5, prompt: 'calm piano' };

    expect(predictionInput(makeScenePlanned({ ...scene, model: 'meta/musicgen' }))).toMatchObject({
      duration: 30,
    });
    expect(predictionInput(makeScenePlanned({ ...scene, model: 'reelay-local/music' }))).toMatchObject({
      duration_sec: 41.5,
    });
  });

  it('flux images get the aspect ratio of the job', () => {
    const scene = makeScenePlanned({
      kind: 'image',
      model: 'black-forest-labs/flux-schnell',
      output: { ...output, width: 480, height: 854 },
    });

    expect(predictionInput(scene)).toMatchObject({ aspect_ratio: '9:16', num_outputs: 1 });
  });
});

describe('the price table', () => {
  it('charges per output or per second of predict_time, nothing for local models', () => {
    expect(predictionCost('wan-video/wan-2.2-t2v-fast', 40)).toBe(0.05);
    expect(
      predictionCost('meta/musicgen:b05b1dff1d8c6dc63d14b0cdb42135378dcb87f6373b0d3d341ede46e59e2b38', 10),
    ).toBe(0.014);
    expect(predictionCost('reelay-local/text-to-video', 10)).toBe(0);
  });

  it('takes prices from MODEL_PRICES and refuses a malformed table', () => {
    const table = priceTableFromEnv({ MODEL_PRICES: '{"meta/musicgen":{"perOutput":0.02}}' });

    expect(predictionCost('meta/musicgen', 10, table)).toBe(0.02);
    expect(() => priceTableFromEnv({ MODEL_PRICES: '{"a/b":{"perMinute":1}}' })).toThrow();
  });
});
