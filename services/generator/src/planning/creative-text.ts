import type { JobSpec } from '@reelay/events';
import { phrasesFor } from './narration-phrases';
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
const AD_SHOTS = [
  'hero shot, soft studio light, slow push in',
  'in everyday use, natural light',
  'close-up of the details and materials',
  'lifestyle shot outdoors, golden hour',
  'in motion, dynamic camera move',
  'clean product shot, centered, bright background',
];
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const pick = <T>(items: readonly T[], i: number): T => items[i % items.length] as T;
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
  // Captions and narration in the job's language; scene prompts stay English for the models.
  const t = phrasesFor(spec.language);
  const subject = subjectOf(prompt);
  const n = outline.visuals.length;
  const last = (i: number) => i === n - 1 && n > 1;
  const scenes = outline.visuals.map((_, i): SceneWords => {
    switch (spec.recipe) {
      case 'ad': {
        const narration = i === 0 ? t.meet(subject) : last(i) ? t.getYours(subject) : pick(t.adLines, i - 1);
        return { prompt: `${subject}, ${pick(AD_SHOTS, i)}`, caption: shortLine(narration), narration };
      }
      case 'story': {
        const about = subject || t.thisStory;
        const narration = i === 0 ? t.begins(about) : last(i) ? t.ends : pick(t.storyLines, i - 1);
        return {
          prompt: `${subject || 'this story'}, picture ${i + 1} of ${n}`,
          caption: shortLine(narration),
          narration,
        };
      }
      case 'merge':
      case 'soundtrack': {
        const narration = i === 0 ? t.sentence(capitalize(subject || t.hereItIs)) : t.part(i + 1);
        return {
          prompt: prompt || `clip ${i + 1} of ${n}`,
          caption: shortLine(subject || `Clip ${i + 1}`),
          narration,
        };
      }
      default: {
        const shot = pick(SHOTS, last(i) ? SHOTS.length - 1 : i);
        const narration =
          i === 0 ? t.sentence(capitalize(subject)) : last(i) ? t.finalImage : pick(t.promptLines, i - 1);
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
