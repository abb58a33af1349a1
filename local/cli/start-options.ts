import { parseArgs } from 'node:util';
import { type JobSpecInput, jobSpecSchema } from '@reelay/events';
import type { z } from 'zod';

export class UsageError extends Error {}

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

export const START_USAGE = `usage: npm start -- "<prompt>" [--recipe prompt|ad|story|merge|soundtrack] [--scenes N] [--seconds S]
       [--resolution 480p|720p|1080p] [--aspect 16:9|9:16|1:1] [--transition crossfade|fade|...|cut]
       [--upload FILE]... [--no-music] [--no-narration] [--no-captions] [--seed N] [--out FILE] [--json]
       [--model video|image|narration|music=owner/name[:version]]... [--fresh] [--data-dir DIR]`;

const OPTION_BY_FIELD: Record<string, string> = {
  recipe: '--recipe',
  scenes: '--scenes',
  secondsPerScene: '--seconds',
  resolution: '--resolution',
  aspect: '--aspect',
  transition: '--transition',
  prompt: 'the prompt',
  seed: '--seed',
  uploads: '--upload',
  models: '--model',
};

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

/** Parses `npm start` arguments into a job spec; every problem is a UsageError naming the option. */
export function parseStartOptions(argv: string[]): StartOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? 'invalid arguments');
  }
  const { values, positionals } = parsed;
  const number = (name: string, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
    return n;
  };
  const prompt = positionals.join(' ').trim();
  const models = modelOverrides(values.model ?? []);
  const spec: Record<string, unknown> = {
    ...(prompt ? { prompt } : {}),
    ...(values.recipe ? { recipe: values.recipe } : {}),
    ...(values.scenes !== undefined ? { scenes: number('scenes', values.scenes) } : {}),
    ...(values.seconds !== undefined ? { secondsPerScene: number('seconds', values.seconds) } : {}),
    ...(values.resolution ? { resolution: values.resolution } : {}),
    ...(values.aspect ? { aspect: values.aspect } : {}),
    ...(values.transition ? { transition: values.transition } : {}),
    ...(values.seed !== undefined ? { seed: number('seed', values.seed) } : {}),
    ...(values.music === false ? { music: false } : {}),
    ...(values.narration === false ? { narration: false } : {}),
    ...(values.captions === false ? { captions: false } : {}),
    ...(Object.keys(models).length ? { models } : {}),
  };
  const uploads = values.upload ?? [];
  const result = jobSpecSchema.safeParse({
    ...spec,
    ...(uploads.length ? { uploads: uploads.map(() => '0'.repeat(26)) } : {}),
  });
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    const field = String(issue.path[0] ?? '');
    const detail = field === 'models' && issue.path[1] !== undefined ? ` ${String(issue.path[1])}` : '';
    throw new UsageError(`${OPTION_BY_FIELD[field] ?? field}${detail}: ${issue.message}`);
  }
  return {
    spec: spec as JobSpecInput,
    uploads,
    ...(values.out ? { out: values.out } : {}),
    json: values.json ?? false,
    fresh: values.fresh ?? false,
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    allowNegative: true,
    strict: true,
    options: {
      recipe: { type: 'string' },
      scenes: { type: 'string' },
      seconds: { type: 'string' },
      resolution: { type: 'string' },
      aspect: { type: 'string' },
      transition: { type: 'string' },
      seed: { type: 'string' },
      upload: { type: 'string', multiple: true },
      model: { type: 'string', multiple: true },
      music: { type: 'boolean' },
      narration: { type: 'boolean' },
      captions: { type: 'boolean' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      fresh: { type: 'boolean' },
      'data-dir': { type: 'string' },
    },
  });
}
