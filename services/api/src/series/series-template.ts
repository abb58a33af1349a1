import type { JobSpec } from '@reelay/events';
import { HttpProblemError, validate } from '@reelay/lambda';
import { acceptedJobSpecSchema } from '../jobs/spec-voice';
import type { SeriesItem } from './series-spec';

const PLACEHOLDER = /\{\{\s*([a-zA-Z][a-zA-Z0-9_]*)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*([a-zA-Z][a-zA-Z0-9_]*)\s*\}\}$/;

/** A placeholder of the template that an item does not fill. */
export class UnfilledPlaceholderError extends HttpProblemError {
  constructor(path: string, name: string) {
    super({
      status: 400,
      title: 'Invalid series item',
      detail: `${path} does not fill the template's {{${name}}}`,
      errors: [{ path, message: `no value for {{${name}}}` }],
    });
  }
}

/** What an item offers a template: its prompt, uploads, script and named values. */
function itemValues(item: SeriesItem): Record<string, string | string[]> {
  return {
    ...(item.values ?? {}),
    ...(item.prompt !== undefined ? { prompt: item.prompt } : {}),
    ...(item.uploads !== undefined ? { uploads: item.uploads } : {}),
    ...(item.script !== undefined ? { script: item.script } : {}),
  };
}

/**
 * The job spec of one episode: the template with every `{{name}}` filled from the item. A string that
 * is only a placeholder takes the item's value as it is (`"uploads": "{{uploads}}"` becomes the list);
 * inside a longer string a placeholder takes the value as text.
 */
export function fillTemplate(template: unknown, item: SeriesItem, path = 'items'): unknown {
  const values = itemValues(item);
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const whole = WHOLE_PLACEHOLDER.exec(node);
      if (whole) {
        const value = values[whole[1] as string];
        if (value === undefined) throw new UnfilledPlaceholderError(path, whole[1] as string);
        return value;
      }
      return node.replace(PLACEHOLDER, (_match, name: string) => {
        const value = values[name];
        if (value === undefined) throw new UnfilledPlaceholderError(path, name);
        return Array.isArray(value) ? value.join(', ') : value;
      });
    }
    if (Array.isArray(node)) return node.map(fill);
    if (node && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, fill(value)]));
    return node;
  };
  return fill(template);
}

/** The episode's validated job spec (the same validation as POST /jobs), or a 400 naming the item. */
export function episodeSpec(template: unknown, item: SeriesItem, path: string): JobSpec {
  return validate(acceptedJobSpecSchema, fillTemplate(template, item, path), `Invalid job spec for ${path}`);
}
