import { readFileSync } from 'node:fs';
import { type JobSpecInput, jobSpecSchema, RECIPES } from '@reelay/events';
import type { z } from 'zod';
import { type CommandSpec, closestSpelling, helpText, parseCommandLine, UsageError } from './command-line';
import { DATA_FOLDER_OPTIONS } from './data-folder-options';
import { UPLOAD_EXTENSIONS } from './upload-files';

export { UsageError } from './command-line';

export interface StartOptions {
  spec: JobSpecInput;
  uploads: string[];
  out?: string;
  json: boolean;
  /** Start with an empty data folder (the stage's stored jobs, objects and queues are deleted). */
  fresh: boolean;
  /** The cloud's data folder, instead of the stage's `.reelay/data/<stage>/`. */
  dataDir?: string;
}

/**
 * The job spec's own rules (libs/events job-spec.ts), read from its schema so the help's ranges and
 * defaults and the errors' wording follow the api's: `jobSpecSchema.shape.scenes` is a default
 * around an integer number with a min and a max, `resolution` a default around an enum.
 */
interface NumberRule {
  min: number;
  max: number;
  whole: boolean;
  fallback?: unknown;
}
type Shape = Record<string, { def: { defaultValue?: unknown }; unwrap(): unknown }>;
const shape = (jobSpecSchema as unknown as { shape: Shape }).shape;
/** A field's schema inside its default/optional wrapper, and its default. */
function field<T>(name: string): { inner: T; fallback: unknown } {
  const wrapped = shape[name];
  if (!wrapped) throw new Error(`the job spec has no field ${name}`);
  return { inner: wrapped.unwrap() as T, fallback: wrapped.def.defaultValue };
}
function numberRule(name: string): NumberRule {
  const { inner, fallback } = field<{ minValue: number; maxValue: number; isInt: boolean }>(name);
  return { min: inner.minValue, max: inner.maxValue, whole: inner.isInt, fallback };
}
function choices(name: string): { values: string[]; fallback?: unknown } {
  const { inner, fallback } = field<{ options: string[] }>(name);
  return { values: inner.options, fallback };
}
const uploadsMax = field<{ def: { checks?: Array<{ _zod: { def: { maximum?: number } } }> } }>('uploads')
  .inner.def.checks?.[0]?._zod.def.maximum;
const promptMax = field<{ maxLength: number }>('prompt').inner.maxLength;

const NUMBERS = {
  scenes: { option: '--scenes', rule: numberRule('scenes'), unit: '' },
  secondsPerScene: { option: '--seconds', rule: numberRule('secondsPerScene'), unit: ' of seconds' },
  seed: { option: '--seed', rule: numberRule('seed'), unit: '' },
} as const;
const CHOICES = {
  recipe: { option: '--recipe', ...choices('recipe') },
  resolution: { option: '--resolution', ...choices('resolution') },
  aspect: { option: '--aspect', ...choices('aspect') },
  transition: { option: '--transition', ...choices('transition') },
} as const;
const SCENE_KINDS = Object.keys(
  field<{ keyType: { enum: Record<string, string> } }>('models').inner.keyType.enum,
);

/** The kinds a person picks a model for (an upload's scene runs no model). */
const MODEL_KINDS = SCENE_KINDS.filter((k) => k !== 'upload');

/** "--scenes must be a whole number from 1 to 12". */
function numberRuleText(field: keyof typeof NUMBERS): string {
  const { option, rule, unit } = NUMBERS[field];
  return `${option} must be ${rule.whole ? 'a whole number' : `a number${unit}`} from ${rule.min} to ${rule.max}`;
}

/** "--resolution must be one of 480p, 720p, 1080p" (plus "did you mean 720p?" for a near miss). */
function choiceRuleText(field: keyof typeof CHOICES, given?: unknown): string {
  const { option, values } = CHOICES[field];
  const near = typeof given === 'string' ? closestSpelling(given, values) : undefined;
  return `${option} must be one of ${values.join(', ')}${near ? `: did you mean ${near}?` : ''}`;
}

const EXAMPLE_PROMPT = 'a fox in the snow';
/** One example per recipe: what a person would type first. */
const RECIPE_EXAMPLES: Record<(typeof RECIPES)[number], { title: string; about: string; command: string }> = {
  prompt: {
    title: 'prompt',
    about: 'scenes generated from your prompt, narrated, with music',
    command: `npm start -- "${EXAMPLE_PROMPT}"`,
  },
  ad: {
    title: 'ad',
    about: 'a short ad whose scenes follow on from each other',
    command: 'npm start -- "a lemonade stand on a hot day" --recipe ad --aspect 9:16',
  },
  story: {
    title: 'story',
    about: 'your pictures or clips, one scene each, narrated from your prompt',
    command: 'npm start -- "our trip to the coast" --recipe story --upload beach.jpg --upload pier.jpg',
  },
  merge: {
    title: 'merge',
    about: 'your clips joined with transitions (narrated only with a prompt; no music)',
    command: 'npm start -- --recipe merge --upload one.mp4 --upload two.mp4',
  },
  soundtrack: {
    title: 'soundtrack',
    about: 'music scored to one video of yours, from your prompt',
    command: 'npm start -- "calm piano" --recipe soundtrack --upload clip.mp4',
  },
};

const shown = (value: unknown) => String(value);

export const START_COMMAND: CommandSpec = {
  usage: 'npm start -- "<prompt>" [options]',
  summary:
    'Renders one video on the embedded local cloud (started for the run, stopped after) and downloads\n' +
    'it with its thumbnail and captions. Exit 0 when the job completes, 1 when it fails, 2 for a wrong\n' +
    'command line or a missing file.',
  positionals: true,
  options: [
    {
      name: 'recipe',
      type: 'string',
      value: 'NAME',
      description: `what to make: ${CHOICES.recipe.values.join(', ')} (each explained below)`,
      default: shown(CHOICES.recipe.fallback),
    },
    {
      name: 'scenes',
      type: 'string',
      value: 'N',
      description: `visual scenes to plan (prompt and ad), ${NUMBERS.scenes.rule.min} to ${NUMBERS.scenes.rule.max}`,
      default: shown(NUMBERS.scenes.rule.fallback),
    },
    {
      name: 'seconds',
      type: 'string',
      value: 'S',
      description: `seconds per scene, ${NUMBERS.secondsPerScene.rule.min} to ${NUMBERS.secondsPerScene.rule.max}`,
      default: shown(NUMBERS.secondsPerScene.rule.fallback),
    },
    {
      name: 'resolution',
      type: 'string',
      value: 'R',
      description: `picture height: ${CHOICES.resolution.values.join(', ')}`,
      default: shown(CHOICES.resolution.fallback),
    },
    {
      name: 'aspect',
      type: 'string',
      value: 'A',
      description: `frame shape: ${CHOICES.aspect.values.join(', ')}`,
      default: shown(CHOICES.aspect.fallback),
    },
    {
      name: 'transition',
      type: 'string',
      value: 'T',
      description: `between scenes: ${CHOICES.transition.values.join(', ')}`,
      default: shown(CHOICES.transition.fallback),
    },
    {
      name: 'upload',
      type: 'string',
      value: 'FILE',
      multiple: true,
      description: `a picture or clip of yours (${UPLOAD_EXTENSIONS.join(' ')}), at most ${uploadsMax}`,
      default: 'none',
    },
    {
      name: 'script',
      type: 'string',
      value: 'FILE',
      description: 'story: the narration, one line per --upload in order (an empty line is written for you)',
      default: 'written from the prompt',
    },
    {
      name: 'pause',
      type: 'string',
      value: 'S',
      description: "story: seconds of silence after each page's narration, 0 to 5",
      default: '0.5',
    },
    {
      name: 'music',
      type: 'boolean',
      negatable: true,
      description: 'no music bed',
      default: 'music on',
    },
    {
      name: 'narration',
      type: 'boolean',
      negatable: true,
      description: 'no spoken narration',
      default: 'narration on',
    },
    {
      name: 'language',
      type: 'string',
      value: 'TAG',
      description: 'narration and captions in this language, a BCP-47 tag (vi, ja, pt-BR)',
      default: 'en',
    },
    {
      name: 'captions',
      type: 'boolean',
      negatable: true,
      description: 'no WebVTT captions track',
      default: 'captions on',
    },
    {
      name: 'seed',
      type: 'string',
      value: 'N',
      description: 'the same seed gives the same plan and pictures, a whole number',
      default: 'from the prompt',
    },
    {
      name: 'model',
      type: 'string',
      value: 'KIND=MODEL',
      multiple: true,
      description: `a kind of scene's Replicate model (${MODEL_KINDS.join(', ')}), e.g. video=kwaivgi/kling-v2.1`,
      default: "the catalog's model per kind",
    },
    {
      name: 'out',
      type: 'string',
      value: 'FILE',
      description: 'where the .mp4 goes; the .jpg thumbnail and .vtt captions go beside it',
      default: 'out/<jobId>.mp4',
    },
    { name: 'json', type: 'boolean', description: 'also print a JSON summary as the last line of stdout' },
    ...DATA_FOLDER_OPTIONS,
  ],
  examplesHeading: 'recipes, one example each:',
  examples: RECIPES.map((r) => RECIPE_EXAMPLES[r]),
};

export const START_HELP = helpText(START_COMMAND);
/** Printed after a usage error: where the whole story is. */
export const START_USAGE = 'see every option and an example per recipe: npm start -- --help';

/**
 * `--model kind=owner/name[:version]` (repeatable): the job's model for a scene kind (spec.models).
 * A pinned version is sent to Replicate as that version; a community model needs one.
 */
function modelOverrides(raw: readonly string[]): Record<string, string> {
  const models: Record<string, string> = {};
  for (const option of raw) {
    const at = option.indexOf('=');
    const kind = option.slice(0, Math.max(0, at)).trim();
    const model = option.slice(at + 1).trim();
    if (at < 1 || !model)
      throw new UsageError(
        `--model: "${option}" must be kind=owner/name[:version], e.g. video=kwaivgi/kling-v2.1`,
      );
    if (kind in models) throw new UsageError(`--model: ${kind} is given twice`);
    models[kind] = model;
  }
  return models;
}

/** A plain-English sentence for the first problem the job spec's schema found. */
function specProblem(issue: z.core.$ZodIssue, spec: Record<string, unknown>, uploads: string[]): string {
  const field = String(issue.path[0] ?? '');
  const recipe = String(spec.recipe ?? CHOICES.recipe.fallback);
  if (field in NUMBERS) return numberRuleText(field as keyof typeof NUMBERS);
  if (field in CHOICES) return choiceRuleText(field as keyof typeof CHOICES, spec[field]);
  if (field === 'prompt') {
    if (issue.code === 'too_big') return `the prompt must be at most ${promptMax} characters`;
    const example =
      RECIPE_EXAMPLES[recipe as keyof typeof RECIPE_EXAMPLES]?.command ?? `npm start -- "${EXAMPLE_PROMPT}"`;
    return `a prompt is needed for the ${recipe} recipe: ${example}`;
  }
  if (field === 'uploads') {
    if (issue.code === 'too_big') return `at most ${uploadsMax} --upload files, not ${uploads.length}`;
    // The recipe's own limit (a story's 300 pages, a merge's 100 clips, 12 otherwise) names itself.
    if (issue.message.includes('at most')) return issue.message;
    if (recipe === 'soundtrack')
      return `the soundtrack recipe scores exactly one video: give one --upload FILE, not ${uploads.length}`;
    return `the ${recipe} recipe needs at least one --upload FILE: ${RECIPE_EXAMPLES[recipe as keyof typeof RECIPE_EXAMPLES]?.command}`;
  }
  if (field === 'models') {
    const kind = String(issue.path[1] ?? '');
    if (issue.code === 'invalid_key' || !SCENE_KINDS.includes(kind)) {
      const given = Object.keys((spec.models as Record<string, string>) ?? {}).find(
        (k) => !SCENE_KINDS.includes(k),
      );
      return `--model: ${given ?? kind} is not a kind of scene; use one of ${MODEL_KINDS.join(', ')}`;
    }
    const model = (spec.models as Record<string, string>)[kind];
    return `--model ${kind}: "${model}" must be owner/name or owner/name:version, e.g. ${kind}=kwaivgi/kling-v2.1`;
  }
  return `${field}: ${issue.message}`;
}

/** A story's script file: one narration line per upload (a final newline ends the last line). */
function scriptLines(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--script: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function pauseSec(given: string): number {
  const n = given.trim() === '' ? Number.NaN : Number(given);
  if (!Number.isFinite(n)) throw new UsageError(`--pause is a number of seconds, 0 to 5, not "${given}"`);
  return n;
}

/** Parses `npm start` arguments into a job spec; every problem is a UsageError in plain English. */
export function parseStartOptions(argv: string[]): StartOptions {
  const { values: raw, positionals } = parseCommandLine(START_COMMAND, argv);
  const values = raw as Partial<Record<string, string | boolean | string[]>>;
  const text = (name: string) => values[name] as string | undefined;
  const list = (name: string) => (values[name] as string[] | undefined) ?? [];
  const number = (field: keyof typeof NUMBERS, given: string | undefined) => {
    if (given === undefined) return undefined;
    const n = given.trim() === '' ? Number.NaN : Number(given);
    if (!Number.isFinite(n)) throw new UsageError(`${numberRuleText(field)}, not "${given}"`);
    return n;
  };
  const prompt = positionals.join(' ').trim();
  const models = modelOverrides(list('model'));
  const spec: Record<string, unknown> = {
    ...(prompt ? { prompt } : {}),
    ...(text('recipe') ? { recipe: text('recipe') } : {}),
    ...(text('scenes') !== undefined ? { scenes: number('scenes', text('scenes')) } : {}),
    ...(text('seconds') !== undefined ? { secondsPerScene: number('secondsPerScene', text('seconds')) } : {}),
    ...(text('resolution') ? { resolution: text('resolution') } : {}),
    ...(text('language') ? { language: text('language') } : {}),
    ...(text('aspect') ? { aspect: text('aspect') } : {}),
    ...(text('transition') ? { transition: text('transition') } : {}),
    ...(text('seed') !== undefined ? { seed: number('seed', text('seed')) } : {}),
    ...(values.music === false ? { music: false } : {}),
    ...(values.narration === false ? { narration: false } : {}),
    ...(values.captions === false ? { captions: false } : {}),
    ...(Object.keys(models).length ? { models } : {}),
    ...(text('script') !== undefined ? { script: scriptLines(text('script') as string) } : {}),
    ...(text('pause') !== undefined ? { narrationPauseSec: pauseSec(text('pause') as string) } : {}),
  };
  const uploads = list('upload');
  const result = jobSpecSchema.safeParse({
    ...spec,
    // Stand-in upload ids: the real ones exist only once the files are uploaded to the running cloud.
    ...(uploads.length ? { uploads: uploads.map(() => '0'.repeat(26)) } : {}),
  });
  if (!result.success) {
    // The recipe first: every other rule's wording depends on it.
    const issues = result.error.issues as z.core.$ZodIssue[];
    const first = issues.find((i) => i.path[0] === 'recipe') ?? (issues[0] as z.core.$ZodIssue);
    throw new UsageError(specProblem(first, spec, uploads));
  }
  return {
    spec: spec as JobSpecInput,
    uploads,
    ...(text('out') ? { out: text('out') } : {}),
    json: values.json === true,
    fresh: values.fresh === true,
    ...(text('data-dir') ? { dataDir: text('data-dir') } : {}),
  };
}
