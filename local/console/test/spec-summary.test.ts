import { specSummary } from '../web/recipes';

describe("a job's options in one line (the job view, under its prompt)", () => {
  test('a prompt job says its scenes, resolution, a language other than English and its style pictures', () => {
    const spec = {
      recipe: 'prompt',
      scenes: 3,
      secondsPerScene: 2,
      resolution: '720p',
      language: 'vi',
      styleReferences: ['01JSTYLE00000000000000000A', '01JSTYLE00000000000000000B'],
    };
    expect(specSummary(spec)).toBe('prompt · 3 × 2 s · 720p · in Vietnamese · 2 style pictures');
  });

  test('English and the fields a recipe ignores are left out', () => {
    expect(
      specSummary({ recipe: 'prompt', scenes: 2, secondsPerScene: 1, resolution: '480p', language: 'en' }),
    ).toBe('prompt · 2 × 1 s · 480p');
    // A merge has no generated scenes and no narration: its defaults say nothing.
    expect(
      specSummary({ recipe: 'merge', scenes: 5, secondsPerScene: 4, resolution: '720p', language: 'vi' }),
    ).toBe('merge · 720p');
  });
});
