import { ValidationError } from '../http/service-error';

/** A JSON request body as the SDK sends it: an object whose fields we read defensively. */
export type RequestBody = Record<string, unknown>;

export function asRecord(value: unknown): RequestBody {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as RequestBody) : {};
}

export function requiredString(body: RequestBody, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw new ValidationError(`${field} is required and must be a non-empty string`);
  }
  return value;
}

export function optionalString(body: RequestBody, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ValidationError(`${field} must be a string`);
  return value;
}

export function optionalNumber(body: RequestBody, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ValidationError(`${field} must be a number`);
  return value;
}

export function optionalBoolean(body: RequestBody, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ValidationError(`${field} must be a boolean`);
  return value;
}

export function optionalArray(body: RequestBody, field: string): unknown[] {
  const value = body[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ValidationError(`${field} must be a list`);
  return value;
}

export function optionalStringMap(body: RequestBody, field: string): Record<string, string> {
  const value = asRecord(body[field]);
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new ValidationError(`${field}.${key} must be a string`);
    result[key] = entry;
  }
  return result;
}

/** AWS JSON protocols carry timestamps as epoch seconds (possibly fractional). */
export function optionalEpochSeconds(body: RequestBody, field: string): Date | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string') {
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  throw new ValidationError(`${field} must be a timestamp`);
}

export function toEpochSeconds(date: Date | number): number {
  return (typeof date === 'number' ? date : date.getTime()) / 1000;
}
