import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { InvalidField, ModelContract } from './contract';
import { modelContract } from './model-ref';

/**
 * Input validation as Replicate does it before a prediction exists: the version's Input schema
 * (JSON Schema, cog's OpenAPI) checked in full, problems answered as a 422 whose invalid_fields
 * use the wording of Replicate's validator (gojsonschema: "required", "enum", "number_gte", ...).
 * Fields the schema does not name are not refused (the schemas set no additionalProperties; the
 * model ignores them). ajv is used rather than hand-written checks so every keyword the
 * recorded schemas use is enforced.
 */
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
addFormats(ajv, ['uri']);

const compiled = new Map<string, ValidateFunction>();

function validatorFor(contract: ModelContract): ValidateFunction {
  const key = `${contract.id}:${contract.version}`;
  let validate = compiled.get(key);
  if (!validate) {
    // The Input schema's $refs point at #/components/schemas/<enum>: give them that root.
    validate = ajv.compile({ ...contract.schemas.Input, components: { schemas: contract.schemas } });
    compiled.set(key, validate);
  }
  return validate;
}

/** gojsonschema's names for JSON types (an integer-valued number is an integer). */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const quoteAllowed = (values: readonly unknown[]): string =>
  values.map((value) => (typeof value === 'string' ? `"${value}"` : String(value))).join(', ');

function describe(error: ErrorObject, input: Record<string, unknown>): InvalidField | undefined {
  const path = error.instancePath.split('/').filter(Boolean);
  const name = path[path.length - 1] ?? 'input';
  const field = ['input', ...path].join('.');
  const value = path.reduce<unknown>(
    (at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined),
    input,
  );
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { type: 'required', field, description: `${String(params.missingProperty)} is required` };
    case 'type':
      return {
        type: 'invalid_type',
        field,
        description: `Invalid type. Expected: ${String(params.type)}, given: ${jsonType(value)}`,
      };
    case 'enum':
      return {
        type: 'enum',
        field,
        description: `${name} must be one of the following: ${quoteAllowed(params.allowedValues as unknown[])}`,
      };
    case 'minimum':
      return {
        type: 'number_gte',
        field,
        description: `Must be greater than or equal to ${String(params.limit)}`,
      };
    case 'maximum':
      return {
        type: 'number_lte',
        field,
        description: `Must be less than or equal to ${String(params.limit)}`,
      };
    case 'exclusiveMinimum':
      return { type: 'number_gt', field, description: `Must be greater than ${String(params.limit)}` };
    case 'exclusiveMaximum':
      return { type: 'number_lt', field, description: `Must be less than ${String(params.limit)}` };
    case 'minLength':
      return {
        type: 'string_gte',
        field,
        description: `String length must be greater than or equal to ${String(params.limit)}`,
      };
    case 'maxLength':
      return {
        type: 'string_lte',
        field,
        description: `String length must be less than or equal to ${String(params.limit)}`,
      };
    case 'format':
      return { type: 'format', field, description: `Does not match format '${String(params.format)}'` };
    case 'multipleOf':
      return {
        type: 'multiple_of',
        field,
        description: `Must be a multiple of ${String(params.multipleOf)}`,
      };
    // allOf only wraps a $ref'd enum: the enum error beneath it already says what is wrong.
    case 'allOf':
      return undefined;
    default:
      return { type: error.keyword, field, description: error.message ?? 'is invalid' };
  }
}

export type ValidationResult =
  | {
      ok: true /** The input with the schema's defaults filled in, as the model receives it. */;
      input: Record<string, unknown>;
    }
  | { ok: false; invalidFields: InvalidField[] };

/** Validates an input against a recorded model's schema (reference: owner/name[:version] or a version id). */
export function checkModelInput(reference: string | ModelContract, input: unknown): ValidationResult {
  const contract = typeof reference === 'string' ? modelContract(reference) : reference;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      ok: false,
      invalidFields: [{ type: 'required', field: 'input', description: 'input is required' }],
    };
  }
  const copy = structuredClone(input) as Record<string, unknown>;
  const validate = validatorFor(contract);
  if (validate(copy)) return { ok: true, input: copy };
  const fields = (validate.errors ?? [])
    .map((error) => describe(error, input as Record<string, unknown>))
    .filter((field): field is InvalidField => field !== undefined);
  // One problem per field and type, in the schema's order of reporting.
  const seen = new Set<string>();
  return {
    ok: false,
    invalidFields: fields.filter((f) => {
      const key = `${f.field}\u0000${f.type}\u0000${f.description}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  };
}

/** The invalid fields Replicate would report for this input ([] when it is valid). */
export function validateModelInput(reference: string | ModelContract, input: unknown): InvalidField[] {
  const result = checkModelInput(reference, input);
  return result.ok ? [] : result.invalidFields;
}

/** The `detail` of Replicate's 422: one "- field: description" line per invalid field. */
export function invalidFieldsDetail(fields: readonly InvalidField[]): string {
  return fields.map((f) => `- ${f.field}: ${f.description}\n`).join('');
}
