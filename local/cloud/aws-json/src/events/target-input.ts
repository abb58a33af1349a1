/**
 * What a rule target receives: the whole event, a constant Input, the part at InputPath, or an
 * InputTransformer's template filled from InputPathsMap, as EventBridge builds them.
 */
export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

export interface TargetInputOptions {
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
}

/** Values EventBridge predefines for InputTemplate besides InputPathsMap. */
export interface TransformContext {
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

/** A JSONPath outside the simple subset EventBridge accepts. */
export class InvalidInputPathError extends Error {
  constructor(path: string) {
    super(`Invalid InputPath: ${path}`);
    this.name = 'InvalidInputPathError';
  }
}

export function renderTargetInput(
  target: TargetInputOptions,
  event: Record<string, unknown>,
  context: TransformContext,
): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(selectJsonPath(event, target.InputPath) ?? null);
  if (target.InputTransformer !== undefined) return renderTemplate(target.InputTransformer, event, context);
  return JSON.stringify(event);
}

/** Evaluates the JSONPath subset EventBridge uses: $, .name, ['name'], [index]. */
export function selectJsonPath(document: unknown, path: string): unknown {
  let current: unknown = document;
  for (const step of parseJsonPath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

export function parseJsonPath(path: string): Array<string | number> {
  if (!path.startsWith('$')) throw new InvalidInputPathError(path);
  const steps: Array<string | number> = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/gy;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const match = pattern.exec(path);
    if (!match) throw new InvalidInputPathError(path);
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[2] !== undefined) steps.push(Number(match[2]));
    else steps.push(match[3] ?? match[4] ?? '');
  }
  return steps;
}

/**
 * Fills `<name>` placeholders. Inside a JSON string a value is inserted as text; outside it is
 * inserted as JSON (strings quoted), which is how EventBridge keeps a JSON template valid.
 */
function renderTemplate(
  transformer: InputTransformer,
  event: Record<string, unknown>,
  context: TransformContext,
): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    values.set(name, selectJsonPath(event, path));
  }
  values.set('aws.events.rule-arn', context.ruleArn);
  values.set('aws.events.rule-name', context.ruleName);
  values.set('aws.events.event.ingestion-time', context.ingestionTime);
  values.set('aws.events.event', event);
  values.set('aws.events.event.json', event);

  const template = transformer.InputTemplate;
  let output = '';
  let inString = false;
  for (let index = 0; index < template.length; index++) {
    const character = template[index] as string;
    if (character === '\\' && inString) {
      output += character + (template[index + 1] ?? '');
      index++;
      continue;
    }
    if (character === '"') inString = !inString;
    if (character === '<') {
      const end = template.indexOf('>', index);
      const name = end === -1 ? undefined : template.slice(index + 1, end);
      if (name !== undefined && values.has(name)) {
        output += placeholderText(values.get(name), inString);
        index = end;
        continue;
      }
    }
    output += character;
  }
  return output;
}

function placeholderText(value: unknown, inString: boolean): string {
  if (inString) {
    if (value === undefined || value === null) return '';
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return JSON.stringify(text).slice(1, -1);
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}
