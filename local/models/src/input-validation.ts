import type { z } from 'zod';

/** One entry of Replicate's invalid_fields list. */
export interface InvalidField {
  type: string;
  field: string;
  description: string;
}

function fieldName(path: readonly PropertyKey[]): string {
  return ['input', ...path.map(String)].join('.');
}

/** Replicate's wording (cog validates inputs against the model's OpenAPI schema). */
function describeIssue(issue: z.core.$ZodIssue, input: Record<string, unknown>): InvalidField {
  const name = String(issue.path[issue.path.length - 1] ?? 'input');
  const field = fieldName(issue.path);
  switch (issue.code) {
    case 'invalid_type':
      return input[name] === undefined && issue.path.length === 1
        ? { type: 'required', field: 'input', description: `${name} is required` }
        : {
            type: 'invalid_type',
            field,
            description: `Invalid type. Expected: ${issue.expected}, given: ${typeof input[name]}`,
          };
    case 'too_big':
      return { type: 'number_lte', field, description: `Must be less than or equal to ${issue.maximum}` };
    case 'too_small':
      return issue.origin === 'string'
        ? {
            type: 'string_gte',
            field,
            description: `String length must be greater than or equal to ${issue.minimum}`,
          }
        : { type: 'number_gte', field, description: `Must be greater than or equal to ${issue.minimum}` };
    case 'not_multiple_of':
      return { type: 'multiple_of', field, description: `Must be a multiple of ${issue.divisor}` };
    case 'invalid_value':
      return {
        type: 'enum',
        field,
        description: `${name} must be one of the following: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { type: issue.code, field, description: issue.message };
  }
}

export function invalidFields(error: z.ZodError, input: Record<string, unknown>): InvalidField[] {
  return error.issues.map((issue) => describeIssue(issue, input));
}

/** The detail string Replicate puts in a 422: one "- field: description" line per problem. */
export function invalidFieldsDetail(fields: readonly InvalidField[]): string {
  return fields.map((f) => `- ${f.field}: ${f.description}\n`).join('');
}
