import type { JsonSchema, ModelContract } from './contract';

/**
 * What one input field of a recorded model accepts, read from its schema (the enum behind an
 * allOf $ref resolved), so callers map onto what the model can make instead of copying numbers.
 */
export interface InputField {
  name: string;
  type?: string;
  required: boolean;
  default?: unknown;
  /** Allowed values, when the field is an enum. */
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  format?: string;
}

/** The field's schema with a `{"allOf":[{"$ref":"#/components/schemas/x"}]}` enum resolved. */
function resolved(contract: ModelContract, property: JsonSchema): JsonSchema {
  const refs = Array.isArray(property.allOf) ? (property.allOf as JsonSchema[]) : [];
  const merged: JsonSchema = { ...property };
  for (const ref of refs) {
    const name = typeof ref.$ref === 'string' ? ref.$ref.replace('#/components/schemas/', '') : undefined;
    const target = name ? contract.schemas[name] : undefined;
    if (target)
      Object.assign(merged, target, property.default === undefined ? {} : { default: property.default });
  }
  return merged;
}

/** The input field of a model, or undefined when its schema has no such field. */
export function inputField(contract: ModelContract, name: string): InputField | undefined {
  const properties = (contract.schemas.Input.properties ?? {}) as Record<string, JsonSchema>;
  const property = properties[name];
  if (!property) return undefined;
  const schema = resolved(contract, property);
  const required = Array.isArray(contract.schemas.Input.required)
    ? (contract.schemas.Input.required as string[]).includes(name)
    : false;
  return {
    name,
    required,
    ...(typeof schema.type === 'string' ? { type: schema.type } : {}),
    ...(schema.default !== undefined ? { default: schema.default } : {}),
    ...(Array.isArray(schema.enum) ? { enum: schema.enum } : {}),
    ...(typeof schema.minimum === 'number' ? { minimum: schema.minimum } : {}),
    ...(typeof schema.maximum === 'number' ? { maximum: schema.maximum } : {}),
    ...(typeof schema.format === 'string' ? { format: schema.format } : {}),
  };
}

/** Every input field of a model, in the schema's x-order. */
export function inputFields(contract: ModelContract): InputField[] {
  const properties = (contract.schemas.Input.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties)
    .sort(([, a], [, b]) => Number(a['x-order'] ?? 0) - Number(b['x-order'] ?? 0))
    .map(([name]) => inputField(contract, name) as InputField);
}
