import { makeJobRequested } from '@reelay/events';
import { modelContract, predictionCostUsd, validateModelInput } from '@reelay/replicate-models';
import { NarrationLanguageUnsupportedError } from '../../../src/errors';
import { DEFAULT_MODELS, predictionInput } from '../../../src/models/model-catalog';
import { planDeterministically } from '../../../src/planning/deterministic-planner';
import { planPrompt } from '../../../src/planning/model-planner';

/**
 * The job's language reaches the plan: narration scenes carry it, speak it with a model that has it
 * (kokoro-82m for its languages, MiniMax speech-02-hd for the others) and a voice of it, in words of
 * it; the planning model is asked for it.
 */
const narrationOf = (language: string, spec: Record<string, unknown> = {}) =>
  planDeterministically(
    makeJobRequested({ spec: { prompt: 'a lighthouse', scenes: 3, language, ...spec } }),
    DEFAULT_MODELS,
  ).filter((scene) => scene.kind === 'narration');

describe('narration in the language of the job', () => {
  it('speaks Vietnamese with MiniMax speech-02-hd, its Vietnamese voice and Vietnamese words', () => {
    // Act
    const scenes = narrationOf('vi');

    // Assess
    expect(scenes).toHaveLength(3);
    for (const scene of scenes) {
      expect(scene).toMatchObject({
        model: 'minimax/speech-02-hd',
        voice: 'Vietnamese_kindhearted_girl',
        language: 'vi',
      });
    }
    expect(scenes[1]?.narration).toBe('Hãy nhìn kỹ hơn.');
    expect(scenes[2]?.narration).toBe('Và hình ảnh cuối cùng.');
  });

  it('maps a Vietnamese narration scene onto an input MiniMax accepts, with language_boost Vietnamese', () => {
    const [scene] = narrationOf('vi');
    if (!scene) throw new Error('no narration scene');

    const input = predictionInput(scene);

    expect(input).toEqual({
      text: scene.narration,
      voice_id: 'Vietnamese_kindhearted_girl',
      language_boost: 'Vietnamese',
    });
    expect(validateModelInput('minimax/speech-02-hd', input)).toEqual([]);
  });

  it.each([
    ['ja', 'jaaari/kokoro-82m', 'jf_alpha', 'もっと近くで見てみましょう。'],
    ['zh', 'jaaari/kokoro-82m', 'zf_xiaobei', '走近一点看。'],
    ['ru', 'minimax/speech-02-hd', 'Russian_HandsomeChildhoodFriend', 'Посмотрите ближе.'],
    ['en-GB', 'jaaari/kokoro-82m', 'bf_alice', 'Take a closer look.'],
  ])('speaks %s with %s (voice %s)', (language, model, voice, line) => {
    const scenes = narrationOf(language);

    expect(scenes[0]).toMatchObject({ model, voice, language });
    expect(scenes[1]?.narration).toBe(line);
    expect(validateModelInput(model, predictionInput(scenes[0] as never))).toEqual([]);
  });

  it('keeps the job voice when the chosen model has it for the language', () => {
    expect(narrationOf('en', { voice: 'bm_george' })[0]).toMatchObject({
      model: 'jaaari/kokoro-82m',
      voice: 'bm_george',
    });
  });

  it('refuses a language no configured model speaks with a named error (the api refuses it first)', () => {
    expect(() => narrationOf('sw')).toThrow(NarrationLanguageUnsupportedError);
    expect(() => narrationOf('sw')).toThrow(/no narration model speaks "sw"/);
  });

  it('asks the planning model for captions and narration in the language, prompts in English', () => {
    const prompt = planPrompt({
      recipe: 'prompt',
      prompt: 'a lighthouse',
      scenes: 3,
      secondsPerScene: 4,
      visuals: ['video', 'video', 'video'],
      narration: true,
      music: true,
      language: 'vi',
    });

    expect(prompt).toContain('in Vietnamese (vi)');
    expect(prompt).toContain('"prompt" and "music" in English');
  });

  it('prices MiniMax speech by the characters of its text (a Vietnamese letter is one character)', () => {
    const cost = predictionCostUsd(modelContract('minimax/speech-02-hd'), {
      input: { text: 'Ngày xưa ơi' },
    });

    expect(cost).toBeCloseTo((0.1 * 11) / 1000, 10);
  });
});
