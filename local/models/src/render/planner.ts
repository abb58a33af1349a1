import { z } from 'zod';
import { plannerPhrasesFor } from './planner-phrases';
import type { InlineOutput } from './render-context';
import { seededRandom, seedFrom } from './seeded-random';

/**
 * The local stand-in for the planning LLM: reads the JSON brief the generator puts after "BRIEF:"
 * and answers with a plan in the JSON shape it asked for, the same plan for the same brief. A
 * prompt containing INVALID_PLAN_TRIGGER gets chatty prose instead, so tests can show the
 * generator falling back to its deterministic planner.
 */
export const INVALID_PLAN_TRIGGER = '[invalid-plan]';

const briefSchema = z.object({
  recipe: z.string().default('prompt'),
  prompt: z.string().default(''),
  scenes: z.number().int().min(1).max(12),
  visuals: z.array(z.string()).optional(),
  narration: z.boolean().default(true),
  music: z.boolean().default(true),
  /** BCP-47: captions and narration are written in it. */
  language: z.string().default('en'),
});
type Brief = z.infer<typeof briefSchema>;

const CAMERA = [
  'slow dolly in',
  'drone shot',
  'handheld close-up',
  'tracking shot',
  'low angle',
  'static wide',
];
const LIGHT = ['golden hour light', 'soft morning light', 'neon glow', 'studio lighting', 'moody blue hour'];
export function parseBrief(prompt: string): Brief | undefined {
  const at = prompt.lastIndexOf('BRIEF:');
  if (at === -1) return undefined;
  try {
    const parsed = briefSchema.safeParse(JSON.parse(prompt.slice(at + 'BRIEF:'.length).trim()));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const subjectOf = (prompt: string) =>
  prompt
    .replace(/^(?:an?\s+)?(?:\d+[- ]?second\s+)?(?:ad|video|commercial|story)\s+(?:for|about|of)\s+/i, '')
    .trim() || 'the subject';

/** The plan the local planner writes for a brief, as JSON text. */
export function planText(brief: Brief): string {
  const random = seededRandom(seedFrom('planner', brief.prompt, brief.recipe, brief.scenes));
  const subject = subjectOf(brief.prompt);
  const words = plannerPhrasesFor(brief.language);
  const n = brief.scenes;
  const scenes = Array.from({ length: n }, (_, i) => {
    const shot = `${random.pick(CAMERA)}, ${random.pick(LIGHT)}`;
    const narration =
      brief.recipe === 'ad'
        ? i === n - 1 && n > 1
          ? words.closing(subject)
          : (words.adBeats[i % words.adBeats.length] ?? words.opening)(subject)
        : i === 0
          ? words.opening(subject)
          : words.moment(i + 1, subject);
    return {
      prompt: `${subject}, ${shot}, scene ${i + 1} of ${n}`,
      caption: narration.replace(/[.。]$/, ''),
      narration,
    };
  });
  return JSON.stringify({
    scenes,
    music: `warm instrumental, ${random.pick(['piano', 'synth pads', 'acoustic guitar', 'strings'])}, about ${subject}`,
  });
}

/** An LLM streams tokens; Replicate's language models return them as a list of strings. */
function asTokens(text: string): string[] {
  return text.match(/[\s\S]{1,12}/g) ?? [];
}

export function renderPlan(prompt: string): InlineOutput {
  if (prompt.includes(INVALID_PLAN_TRIGGER)) {
    return {
      inline: asTokens(
        'Sure! Here is a great plan: open on the product, then show it in use, then end on the logo.',
      ),
    };
  }
  const brief = parseBrief(prompt);
  if (!brief)
    return {
      inline: asTokens('I need a BRIEF (JSON after "BRIEF:") with the recipe, prompt and number of scenes.'),
    };
  return { inline: asTokens(`Here is the plan.\n\`\`\`json\n${planText(brief)}\n\`\`\``) };
}
