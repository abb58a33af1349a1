import type { JobSpec } from '@reelay/events';
import type { SceneOutline } from './scene-outline';

/** The words of a plan: what each visual scene shows, its caption and its narration line, and the music. */
export interface SceneWords {
  prompt: string;
  caption: string;
  narration: string;
}
export interface CreativeText {
  scenes: SceneWords[];
  musicPrompt: string;
}

const SHOTS = [
  'opening wide shot',
  'closer look',
  'a detail in motion',
  'the scene from another angle',
  'the turning point',
  'a sweeping view',
  'a quiet moment',
  'the final image',
];
const PROMPT_LINES = [
  'Take a closer look.',
  'Every detail in motion.',
  'Seen from another angle.',
  'Then, the turning point.',
  'A sweeping view.',
  'A quiet moment.',
];
const AD_SHOTS = [
  'hero shot, soft studio light, slow push in',
  'in everyday use, natural light',
  'close-up of the details and materials',
  'lifestyle shot outdoors, golden hour',
  'in motion, dynamic camera move',
  'clean product shot, centered, bright background',
];
const AD_LINES = [
  'Made for every day, wherever you go.',
  'Every detail designed to last.',
  'Good for you, and better for the planet.',
  'Ready when you are.',
  'Small choice, big difference.',
];
const STORY_LINES = ['And then, the story went on.', 'Something changed.', 'Look closer.', 'Time moved on.'];

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const pick = <T>(items: readonly T[], i: number): T => items[i % items.length] as T;
const sentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);
/** Captions stay one short line; a long prompt is cut at a word. */
export function shortLine(text: string, max = 90): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  return `${flat.slice(0, max).replace(/\s+\S*$/, '')}…`;
}

/** "a 20-second ad for a reusable water bottle" -> "a reusable water bottle". */
export function subjectOf(prompt: string | undefined): string {
  if (!prompt) return '';
  const stripped = prompt
    .trim()
    .replace(
      /^(?:make\s+|create\s+)?(?:an?\s+)?(?:\d+[- ]?(?:second|sec|s)\s+)?(?:short\s+)?(?:video\s+)?(?:ad|advert|advertisement|commercial|explainer|promo|video|clip|story|slideshow)\s+(?:for|about|of|on)\s+/i,
      '',
    )
    .replace(/[.!]+$/, '');
  return stripped || prompt.trim();
}

/**
 * The deterministic planner's words: the same spec always gets the same text, and every line is
 * derived from the prompt, so a plan without a model still reads like a plan.
 */
export function deterministicWords(spec: JobSpec, outline: SceneOutline): CreativeText {
  const prompt = spec.prompt ?? '';
  const subject = subjectOf(prompt);
  const n = outline.visuals.length;
  const last = (i: number) => i === n - 1 && n > 1;
  const scenes = outline.visuals.map((_, i): SceneWords => {
    switch (spec.recipe) {
      case 'ad': {
        const narration =
          i === 0
            ? `Meet ${subject}.`
            : last(i)
              ? `${capitalize(subject)}. Get yours today.`
              : pick(AD_LINES, i - 1);
        return { prompt: `${subject}, ${pick(AD_SHOTS, i)}`, caption: shortLine(narration), narration };
      }
      case 'story': {
        const about = subject || 'this story';
        const narration =
          i === 0
            ? sentence(`It begins with ${about}`)
            : last(i)
              ? 'And that is how it ends.'
              : pick(STORY_LINES, i - 1);
        return { prompt: `${about}, picture ${i + 1} of ${n}`, caption: shortLine(narration), narration };
      }
      case 'merge':
      case 'soundtrack': {
        const narration = i === 0 ? sentence(capitalize(subject || 'Here it is')) : `Part ${i + 1}.`;
        return {
          prompt: prompt || `clip ${i + 1} of ${n}`,
          caption: shortLine(subject || `Clip ${i + 1}`),
          narration,
        };
      }
      default: {
        const shot = pick(SHOTS, last(i) ? SHOTS.length - 1 : i);
        const narration =
          i === 0
            ? sentence(capitalize(subject))
            : last(i)
              ? 'And the final image.'
              : pick(PROMPT_LINES, i - 1);
        return {
          prompt: n === 1 ? prompt : `${prompt}, ${shot}`,
          caption: shortLine(
            spec.narration ? narration : i === 0 ? prompt : `${capitalize(subject)}, ${shot}`,
          ),
          narration,
        };
      }
    }
  });
  return { scenes, musicPrompt: musicPromptFor(spec) };
}

export function musicPromptFor(spec: JobSpec): string {
  const subject = subjectOf(spec.prompt) || 'a video';
  switch (spec.recipe) {
    case 'ad':
      return `upbeat modern instrumental bed for an ad about ${subject}, no vocals`;
    case 'soundtrack':
      return `instrumental score for a video: ${spec.prompt ?? 'calm and warm'}; no vocals, steady mood`;
    case 'story':
      return `gentle warm instrumental music for a narrated story about ${subject}, no vocals`;
    default:
      return `instrumental background music for a video of ${subject}, no vocals`;
  }
}
