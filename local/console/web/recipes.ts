/**
 * What each recipe takes (libs/events/src/job-spec.ts and its superRefine: which need a prompt, which
 * need uploads, which generate scenes), so the form shows only the fields that mean something for it.
 */
export type FormField =
  | 'prompt'
  | 'scenes'
  | 'seconds'
  | 'music'
  | 'narration'
  | 'captions'
  | 'uploads'
  | 'language'
  | 'styleReferences';

export interface RecipeForm {
  /** One line a person reads before choosing. */
  description: string;
  fields: readonly FormField[];
  /** The prompt is required (the api refuses the job without one). */
  promptRequired: boolean;
  promptLabel: string;
  uploadsLabel?: string;
}

/**
 * The fields of the recipes whose scenes are generated (prompt, ad). styleReferences: their look
 * ends every generated scene's prompt (the generator's planner).
 */
const GENERATED_SCENE_FIELDS: RecipeForm['fields'] = [
  'prompt',
  'scenes',
  'seconds',
  'music',
  'narration',
  'captions',
  'language',
  'styleReferences',
  'uploads',
];

export const RECIPE_FORMS: Record<string, RecipeForm> = {
  prompt: {
    description: 'A short video from a text prompt: planned into scenes, each generated, then joined.',
    fields: GENERATED_SCENE_FIELDS,
    promptRequired: true,
    promptLabel: 'Prompt',
    uploadsLabel: 'Optional pictures to start scenes from',
  },
  ad: {
    description: 'A product ad: a hook, the product and a call to action, with a voice-over.',
    fields: GENERATED_SCENE_FIELDS,
    promptRequired: true,
    promptLabel: 'What to advertise',
    uploadsLabel: 'Optional product pictures',
  },
  story: {
    description: 'A narrated story from your pictures: each page on screen while its narration plays.',
    fields: ['prompt', 'music', 'narration', 'captions', 'language', 'uploads'],
    promptRequired: false,
    promptLabel: 'What the story is about (optional)',
    uploadsLabel: 'The pages, in order',
  },
  merge: {
    description: 'Joins your clips into one video, in order, with transitions.',
    fields: ['music', 'uploads'],
    promptRequired: false,
    promptLabel: 'Prompt',
    uploadsLabel: 'The clips, in order',
  },
  soundtrack: {
    description: 'Scores one of your videos with music made from a prompt.',
    fields: ['prompt', 'uploads'],
    promptRequired: true,
    promptLabel: 'The music you want',
    uploadsLabel: 'The video to score (one)',
  },
};

/** Shown in the empty gallery: a click puts one in the prompt. */
export const EXAMPLE_PROMPTS = [
  'a paper boat drifting down a rainy street at dusk',
  'a fox exploring a snowy forest at sunrise',
  'a 15-second ad for a reusable coffee cup',
] as const;

const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language' });

/**
 * The options a job was made with, in one line under its prompt: "prompt · 3 × 2 s · 720p · in
 * Vietnamese · 2 style pictures". English and the defaults the recipe ignores are left out.
 */
export function specSummary(spec: Record<string, unknown>): string {
  const recipe = typeof spec.recipe === 'string' ? spec.recipe : 'prompt';
  const fields = RECIPE_FORMS[recipe]?.fields ?? [];
  const parts: string[] = [recipe];
  if (fields.includes('scenes') && typeof spec.scenes === 'number')
    parts.push(`${spec.scenes} × ${spec.secondsPerScene ?? '?'} s`);
  if (typeof spec.resolution === 'string') parts.push(spec.resolution);
  const language = typeof spec.language === 'string' ? spec.language : undefined;
  if (language && language !== 'en' && fields.includes('language')) {
    let name = language;
    try {
      name = LANGUAGE_NAMES.of(language) ?? language;
    } catch {
      // Not a tag the runtime can name: shown as it is.
    }
    parts.push(`in ${name}`);
  }
  const styles = Array.isArray(spec.styleReferences) ? spec.styleReferences.length : 0;
  if (styles) parts.push(`${styles} style picture${styles === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
