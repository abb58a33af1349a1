/**
 * EventBridge content filtering: the documented event-pattern language.
 * Leaves are arrays of matchers (OR); nested objects match nested fields (AND); an array in the
 * event matches when any element does; `$or` lists alternative sub-patterns.
 */
export type EventPattern = { readonly [field: string]: unknown };

/** The pattern is not valid EventBridge pattern syntax (InvalidEventPatternException). */
export class InvalidEventPatternError extends Error {
  constructor(message: string) {
    super(`Event pattern is not valid. Reason: ${message}`);
    this.name = 'InvalidEventPatternError';
  }
}

const OPERATORS = new Set([
  'prefix',
  'suffix',
  'anything-but',
  'numeric',
  'exists',
  'equals-ignore-case',
  'wildcard',
  'cidr',
]);
const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

/** Parses and validates a pattern given as JSON text. */
export function parseEventPattern(text: string): EventPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidEventPatternError('Filter is not valid JSON.');
  }
  if (!isObject(parsed)) throw new InvalidEventPatternError('Filter is not an object.');
  validateObject(parsed, '');
  return parsed;
}

/** True when the event (any JSON object) matches the pattern. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, isObject(event) ? event : {});
}

// ---- validation -----------------------------------------------------------------------------

function validateObject(pattern: Record<string, unknown>, path: string): void {
  for (const [key, rule] of Object.entries(pattern)) {
    const where = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(rule) || rule.length < 2 || !rule.every(isObject)) {
        throw new InvalidEventPatternError(`"$or" at ${where} must be an array of at least two objects.`);
      }
      for (const alternative of rule) validateObject(alternative as Record<string, unknown>, path);
    } else if (Array.isArray(rule)) {
      for (const matcher of rule) validateMatcher(matcher, where);
    } else if (isObject(rule)) {
      validateObject(rule, where);
    } else {
      throw new InvalidEventPatternError(`Match value at ${where} must be an object or an array.`);
    }
  }
}

function validateMatcher(matcher: unknown, where: string): void {
  if (
    matcher === null ||
    typeof matcher === 'string' ||
    typeof matcher === 'number' ||
    typeof matcher === 'boolean'
  )
    return;
  if (!isObject(matcher)) throw new InvalidEventPatternError(`Unsupported match value at ${where}.`);
  const keys = Object.keys(matcher);
  const operator = keys[0];
  if (keys.length !== 1 || operator === undefined || !OPERATORS.has(operator)) {
    throw new InvalidEventPatternError(`Unrecognized match type ${keys.join(',')} at ${where}.`);
  }
  const operand = matcher[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
      if (typeof operand !== 'string' && !isIgnoreCaseOperand(operand)) {
        throw new InvalidEventPatternError(`${operator} match pattern must be a string at ${where}.`);
      }
      return;
    case 'equals-ignore-case':
    case 'wildcard':
      if (typeof operand !== 'string')
        throw new InvalidEventPatternError(`${operator} match pattern must be a string at ${where}.`);
      if (operator === 'wildcard' && operand.includes('**')) {
        throw new InvalidEventPatternError(`Consecutive wildcard characters at ${where}.`);
      }
      return;
    case 'exists':
      if (typeof operand !== 'boolean')
        throw new InvalidEventPatternError(`exists match pattern must be a boolean at ${where}.`);
      return;
    case 'numeric':
      validateNumeric(operand, where);
      return;
    case 'cidr':
      if (typeof operand !== 'string' || !parseCidr(operand))
        throw new InvalidEventPatternError(`Malformed CIDR at ${where}.`);
      return;
    case 'anything-but':
      validateAnythingBut(operand, where);
      return;
  }
}

function isIgnoreCaseOperand(operand: unknown): boolean {
  return (
    isObject(operand) &&
    Object.keys(operand).length === 1 &&
    typeof operand['equals-ignore-case'] === 'string'
  );
}

function validateNumeric(operand: unknown, where: string): void {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0 || operand.length > 4) {
    throw new InvalidEventPatternError(`Malformed numeric match at ${where}.`);
  }
  for (let index = 0; index < operand.length; index += 2) {
    const operator = operand[index];
    const value = operand[index + 1];
    if (typeof operator !== 'string' || !NUMERIC_OPERATORS.has(operator) || typeof value !== 'number') {
      throw new InvalidEventPatternError(`Malformed numeric match at ${where}.`);
    }
  }
}

function validateAnythingBut(operand: unknown, where: string): void {
  if (typeof operand === 'string' || typeof operand === 'number') return;
  if (Array.isArray(operand)) {
    if (!operand.every((value) => typeof value === 'string' || typeof value === 'number')) {
      throw new InvalidEventPatternError(`anything-but list must hold strings or numbers at ${where}.`);
    }
    return;
  }
  if (isObject(operand)) {
    const [key, ...rest] = Object.keys(operand);
    const value = key === undefined ? undefined : operand[key];
    const valid =
      rest.length === 0 &&
      ((key === 'prefix' || key === 'suffix' || key === 'wildcard') && typeof value === 'string'
        ? true
        : key === 'equals-ignore-case' &&
          (typeof value === 'string' ||
            (Array.isArray(value) && value.every((entry) => typeof entry === 'string'))));
    if (valid) return;
  }
  throw new InvalidEventPatternError(`Malformed anything-but match at ${where}.`);
}

// ---- matching -------------------------------------------------------------------------------

function matchObject(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      const alternatives = rule as Record<string, unknown>[];
      if (!alternatives.some((alternative) => matchObject(alternative, event))) return false;
      continue;
    }
    const present = Object.hasOwn(event, key);
    const value = event[key];
    if (Array.isArray(rule)) {
      if (!matchLeaf(rule, present, value)) return false;
      continue;
    }
    const nested = rule as Record<string, unknown>;
    // Objects inside arrays are flattened: the nested pattern may match any of them.
    const candidates = Array.isArray(value) ? value.filter(isObject) : [isObject(value) ? value : {}];
    if (candidates.length === 0) candidates.push({});
    if (!candidates.some((candidate) => matchObject(nested, candidate))) return false;
  }
  return true;
}

function matchLeaf(matchers: readonly unknown[], present: boolean, value: unknown): boolean {
  const values = !present ? [] : Array.isArray(value) ? value : [value];
  const leafValues = values.filter((entry) => !isObject(entry) && !Array.isArray(entry));
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) {
      return matcher.exists === true ? leafValues.length > 0 : leafValues.length === 0;
    }
    return leafValues.some((entry) => matchValue(matcher, entry));
  });
}

function matchValue(matcher: unknown, value: unknown): boolean {
  if (!isObject(matcher)) return matcher === value;
  const [operator] = Object.keys(matcher);
  const operand = operator === undefined ? undefined : matcher[operator];
  switch (operator) {
    case 'prefix':
      return (
        typeof value === 'string' && affixMatches(operand, value, (text, affix) => text.startsWith(affix))
      );
    case 'suffix':
      return typeof value === 'string' && affixMatches(operand, value, (text, affix) => text.endsWith(affix));
    case 'equals-ignore-case':
      return (
        typeof value === 'string' &&
        typeof operand === 'string' &&
        value.toLowerCase() === operand.toLowerCase()
      );
    case 'wildcard':
      return typeof value === 'string' && typeof operand === 'string' && wildcardMatches(operand, value);
    case 'numeric':
      return typeof value === 'number' && numericMatches(operand as unknown[], value);
    case 'cidr':
      return typeof value === 'string' && typeof operand === 'string' && cidrMatches(operand, value);
    case 'anything-but':
      return anythingButMatches(operand, value);
    default:
      return false;
  }
}

function affixMatches(
  operand: unknown,
  value: string,
  test: (text: string, affix: string) => boolean,
): boolean {
  if (typeof operand === 'string') return test(value, operand);
  if (isObject(operand) && typeof operand['equals-ignore-case'] === 'string') {
    return test(value.toLowerCase(), operand['equals-ignore-case'].toLowerCase());
  }
  return false;
}

function anythingButMatches(operand: unknown, value: unknown): boolean {
  if (typeof operand === 'string' || typeof operand === 'number') return value !== operand;
  if (Array.isArray(operand)) return !operand.includes(value);
  if (!isObject(operand) || typeof value !== 'string') return false;
  const [key] = Object.keys(operand);
  const inner = key === undefined ? undefined : operand[key];
  switch (key) {
    case 'prefix':
      return typeof inner === 'string' && !value.startsWith(inner);
    case 'suffix':
      return typeof inner === 'string' && !value.endsWith(inner);
    case 'wildcard':
      return typeof inner === 'string' && !wildcardMatches(inner, value);
    case 'equals-ignore-case': {
      const excluded = (Array.isArray(inner) ? inner : [inner]).map((entry) => String(entry).toLowerCase());
      return !excluded.includes(value.toLowerCase());
    }
    default:
      return false;
  }
}

function numericMatches(conditions: readonly unknown[], value: number): boolean {
  for (let index = 0; index < conditions.length; index += 2) {
    const operator = conditions[index];
    const bound = conditions[index + 1] as number;
    const holds =
      operator === '='
        ? value === bound
        : operator === '<'
          ? value < bound
          : operator === '<='
            ? value <= bound
            : operator === '>'
              ? value > bound
              : operator === '>='
                ? value >= bound
                : false;
    if (!holds) return false;
  }
  return true;
}

/** `*` matches any run of characters; `\*` is a literal star. */
function wildcardMatches(pattern: string, value: string): boolean {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index] as string;
    if (character === '\\' && (pattern[index + 1] === '*' || pattern[index + 1] === '\\')) {
      source += escapeRegExp(pattern[index + 1] as string);
      index++;
    } else if (character === '*') {
      source += '.*';
    } else {
      source += escapeRegExp(character);
    }
  }
  return new RegExp(`^${source}$`, 's').test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function cidrMatches(cidr: string, address: string): boolean {
  const range = parseCidr(cidr);
  const ip = parseIpv4(address);
  if (!range || ip === undefined) return false;
  const mask = range.bits === 0 ? 0 : (0xffffffff << (32 - range.bits)) >>> 0;
  return (ip & mask) >>> 0 === (range.network & mask) >>> 0;
}

function parseCidr(cidr: string): { network: number; bits: number } | undefined {
  const [address, bitsText] = cidr.split('/');
  const network = address === undefined ? undefined : parseIpv4(address);
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (network === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  return { network, bits };
}

function parseIpv4(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let result = 0;
  for (const part of parts) {
    const octet = Number(part);
    if (!/^\d{1,3}$/.test(part) || octet > 255) return undefined;
    result = result * 256 + octet;
  }
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
