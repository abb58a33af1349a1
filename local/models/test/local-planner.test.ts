import { INVALID_PLAN_TRIGGER, parseBrief, renderPlan } from '../src/render/planner';

const brief = { recipe: 'ad', prompt: 'an ad for a water bottle', scenes: 3, narration: true, music: true };
const promptFor = (b: object) => `Write the shot list.\nBRIEF: ${JSON.stringify(b)}`;
const answer = (prompt: string) => renderPlan(prompt).inline.join('');

describe('the local planning model', () => {
  it('answers a brief with a JSON plan of exactly the scenes asked for, the same plan every time', () => {
    const text = answer(promptFor(brief));
    const json = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as {
      scenes: Array<{ prompt: string; caption: string; narration: string }>;
      music: string;
    };

    expect(json.scenes).toHaveLength(3);
    expect(json.scenes[0]?.narration).toBe('Say hello to a water bottle.');
    expect(json.music).toContain('a water bottle');
    expect(answer(promptFor(brief))).toBe(text);
  });

  it('answers prose without JSON when the prompt carries the invalid-plan trigger', () => {
    const text = answer(promptFor({ ...brief, prompt: `bottle ${INVALID_PLAN_TRIGGER}` }));

    expect(text).not.toContain('{');
  });

  it('reads no brief from a prompt without one', () => {
    expect(parseBrief('plan a video')).toBeUndefined();
    expect(answer('plan a video')).not.toContain('{');
  });
});
