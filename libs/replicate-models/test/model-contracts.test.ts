import {
  checkModelInput,
  chooseNarrationModel,
  DEFAULT_MODEL_IDS,
  DEFAULT_SPEECH_MODEL_IDS,
  findModelContract,
  inputField,
  inputFields,
  MODEL_CONTRACTS,
  modelContract,
  parseModelRef,
  predictionCostUsd,
  speechLanguages,
  UnknownModelError,
  validateModelInput,
} from '@reelay/replicate-models';

describe('recorded model contracts', () => {
  it('records every default model with a 64-hex version, its source and the date it was taken', () => {
    for (const id of Object.values(DEFAULT_MODEL_IDS)) {
      const contract = modelContract(id);
      expect(contract.version).toMatch(/^[0-9a-f]{64}$/);
      expect(contract.source).toMatch(/^https:\/\/replicate\.com\//);
      expect(contract.takenAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(contract.schemas.Input.type).toBe('object');
    }
  });

  it('marks the community models (kokoro, musicgen) as runnable by version only', () => {
    expect(modelContract('jaaari/kokoro-82m').official).toBe(false);
    expect(modelContract('meta/musicgen').official).toBe(false);
    expect(modelContract('wan-video/wan-2.2-t2v-fast').official).toBe(true);
  });

  it('finds a contract by name, by name:version and by bare version, and not by another version', () => {
    const kokoro = modelContract('jaaari/kokoro-82m');
    expect(findModelContract(`jaaari/kokoro-82m:${kokoro.version}`)).toBe(kokoro);
    expect(findModelContract(kokoro.version)).toBe(kokoro);
    expect(findModelContract(`jaaari/kokoro-82m:${'0'.repeat(64)}`)).toBeUndefined();
    expect(parseModelRef('not a model')).toBeUndefined();
    expect(() => modelContract('someone/unknown')).toThrow(UnknownModelError);
  });

  it('speech voices are exactly the voice enum of the schema', () => {
    const kokoro = modelContract('jaaari/kokoro-82m');
    expect(kokoro.voices?.map((v) => v.id)).toEqual(kokoro.schemas.voice?.enum);
  });
});

describe('validateModelInput', () => {
  it('refuses a square Wan 2.2 t2v video the way Replicate does (aspect_ratio enum)', () => {
    expect(
      validateModelInput('wan-video/wan-2.2-t2v-fast', { prompt: 'a fox', aspect_ratio: '1:1' }),
    ).toEqual([
      {
        type: 'enum',
        field: 'input.aspect_ratio',
        description: 'aspect_ratio must be one of the following: "16:9", "9:16"',
      },
    ]);
  });

  it('reports a missing required field on "input" and range errors on the field', () => {
    expect(
      validateModelInput('wan-video/wan-2.2-t2v-fast', { frames_per_second: 30, num_frames: 80 }),
    ).toEqual(
      expect.arrayContaining([
        { type: 'required', field: 'input', description: 'prompt is required' },
        {
          type: 'number_lte',
          field: 'input.frames_per_second',
          description: 'Must be less than or equal to 24',
        },
        { type: 'number_gte', field: 'input.num_frames', description: 'Must be greater than or equal to 81' },
      ]),
    );
  });

  it('refuses a kokoro voice outside its list, and kling without start_image', () => {
    expect(validateModelInput('jaaari/kokoro-82m', { text: 'hi', voice: 'af_heart' })[0]).toMatchObject({
      type: 'enum',
      field: 'input.voice',
    });
    expect(validateModelInput('kwaivgi/kling-v2.1', { prompt: 'a fox' })).toEqual([
      { type: 'required', field: 'input', description: 'start_image is required' },
    ]);
  });

  it('reports the JSON type given where another was expected, and a non-URI where a file is expected', () => {
    expect(validateModelInput('meta/musicgen', { prompt: 'calm', duration: '8' })).toEqual([
      {
        type: 'invalid_type',
        field: 'input.duration',
        description: 'Invalid type. Expected: integer, given: string',
      },
    ]);
    expect(validateModelInput('wan-video/wan-2.2-i2v-fast', { prompt: 'x', image: 'not a url' })).toEqual([
      { type: 'format', field: 'input.image', description: "Does not match format 'uri'" },
    ]);
  });

  it('accepts fields the schema does not name, and fills in defaults for the model', () => {
    const result = checkModelInput('black-forest-labs/flux-schnell', { prompt: 'a fox', unknown_field: 1 });
    expect(result).toEqual({
      ok: true,
      input: expect.objectContaining({
        prompt: 'a fox',
        aspect_ratio: '1:1',
        output_format: 'webp',
        num_outputs: 1,
      }),
    });
  });
});

describe('predictionCostUsd', () => {
  it('prices Wan 2.2 fast by seconds at 16 fps and by resolution', () => {
    const wan = modelContract('wan-video/wan-2.2-t2v-fast');
    const at480 = predictionCostUsd(wan, {
      input: { num_frames: 81, resolution: '480p', frames_per_second: 24 },
    });
    const at720 = predictionCostUsd(wan, {
      input: { num_frames: 81, resolution: '720p', frames_per_second: 24 },
    });
    expect(at480).toBeCloseTo((81 / 16) * 0.01, 6);
    expect(at720).toBeCloseTo(2 * at480, 6);
  });

  it('prices Kling per second at its mode, flux per image, llama per token, musicgen per hardware second', () => {
    expect(
      predictionCostUsd(modelContract('kwaivgi/kling-v2.1'), { input: { mode: 'pro', duration: 10 } }),
    ).toBeCloseTo(0.9);
    expect(
      predictionCostUsd(modelContract('black-forest-labs/flux-schnell'), { input: { num_outputs: 2 } }),
    ).toBeCloseTo(0.006);
    expect(
      predictionCostUsd(modelContract('meta/meta-llama-3-8b-instruct'), {
        input: {},
        inputTokens: 1_000_000,
        outputTokens: 1_000_000,
      }),
    ).toBeCloseTo(0.3);
    expect(predictionCostUsd(modelContract('meta/musicgen'), { input: {}, predictTimeSec: 10 })).toBeCloseTo(
      0.014,
    );
  });

  it('has a contract for every model it lists', () => {
    expect(new Set(MODEL_CONTRACTS.map((c) => c.id)).size).toBe(MODEL_CONTRACTS.length);
  });
});

describe('inputField', () => {
  it('resolves an enum behind allOf $ref with its default, and reads ranges and required', () => {
    const wan = modelContract('wan-video/wan-2.2-t2v-fast');
    expect(inputField(wan, 'aspect_ratio')).toMatchObject({
      enum: ['16:9', '9:16'],
      default: '16:9',
      required: false,
    });
    expect(inputField(wan, 'frames_per_second')).toMatchObject({ minimum: 5, maximum: 24, default: 16 });
    expect(inputField(wan, 'prompt')).toMatchObject({ required: true, type: 'string' });
    expect(inputField(modelContract('wan-video/wan-2.2-i2v-fast'), 'aspect_ratio')).toBeUndefined();
    expect(inputFields(modelContract('kwaivgi/kling-v2.1')).map((f) => f.name)).toEqual([
      'mode',
      'duration',
      'prompt',
      'end_image',
      'start_image',
      'negative_prompt',
    ]);
  });
});

describe('which speech model speaks which language', () => {
  it('records kokoro-82m languages from its voices and MiniMax speech-02-hd from its voices and language_boost', () => {
    expect(speechLanguages(modelContract('jaaari/kokoro-82m'))).toEqual(['en', 'fr', 'hi', 'it', 'ja', 'zh']);
    const minimax = speechLanguages(modelContract('minimax/speech-02-hd'));
    expect(minimax).toEqual(expect.arrayContaining(['vi', 'ru', 'ko', 'es', 'de', 'th']));
    expect(minimax).not.toContain('sw');
  });

  it('chooses kokoro for its languages, MiniMax for the others, and names what is available otherwise', () => {
    const configured = DEFAULT_SPEECH_MODEL_IDS;
    expect(chooseNarrationModel({ language: 'en-GB', configured })).toEqual({
      ok: true,
      model: 'jaaari/kokoro-82m',
      voice: 'bf_alice',
    });
    expect(chooseNarrationModel({ language: 'vi', configured })).toEqual({
      ok: true,
      model: 'minimax/speech-02-hd',
      voice: 'Vietnamese_kindhearted_girl',
    });
    expect(chooseNarrationModel({ language: 'th', configured })).toEqual({
      ok: true,
      model: 'minimax/speech-02-hd',
    });
    const refused = chooseNarrationModel({ language: 'sw', configured });
    expect(refused).toMatchObject({ ok: false, field: 'language' });
    expect(!refused.ok && refused.message).toMatch(/"sw".*languages available: .*\bvi\b/);
  });

  it('trusts a model it holds no contract for with any language and voice', () => {
    expect(
      chooseNarrationModel({ language: 'sw', voice: 'mine', chosen: 'someone/tts', configured: [] }),
    ).toEqual({ ok: true, model: 'someone/tts', voice: 'mine' });
  });

  it('records the vision model llava-13b as a community model with an image input', () => {
    const llava = modelContract(DEFAULT_MODEL_IDS.vision);
    expect(llava).toMatchObject({ id: 'yorickvp/llava-13b', official: false, roles: ['vision'] });
    expect(validateModelInput(llava.id, { prompt: 'describe' })).toEqual([
      { type: 'required', field: 'input', description: 'image is required' },
    ]);
  });
});
