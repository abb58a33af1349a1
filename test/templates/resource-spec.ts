/**
 * Validates templates against AWS's own database of CloudFormation resource types
 * (@aws-cdk/aws-service-spec, offline): unknown types, unknown or misplaced properties,
 * missing required properties and GetAtt of attributes a type does not have. This is what
 * cfn-lint would catch before a deploy, and it is not reachable here.
 */
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, TypeDefinition } from '@aws-cdk/service-spec-types';
import { getAttTarget, isIntrinsic, isRecord, walk } from './intrinsics';
import type { Templates } from './template-checks';

export type SpecDatabase = Awaited<ReturnType<typeof loadAwsServiceSpec>>;

let loading: Promise<SpecDatabase> | undefined;
/** The database takes most of a second to load: once per test worker. */
export const loadSpec = (): Promise<SpecDatabase> => {
  loading ??= loadAwsServiceSpec();
  return loading;
};

const lookupResource = (db: SpecDatabase, type: string) => {
  const found = db.lookup('resource', 'cloudFormationType', 'equals', type);
  return found.length === 1 ? found[0] : undefined;
};

const validateObject = (
  db: SpecDatabase,
  value: unknown,
  properties: Record<string, Property>,
  path: string,
): string[] => {
  if (isIntrinsic(value)) return [];
  if (!isRecord(value)) return [`${path} should be an object`];
  const unknown = Object.keys(value)
    .filter((key) => !(key in properties))
    .map((key) => `${path}.${key} is not a property`);
  const missing = Object.entries(properties)
    .filter(([key, property]) => property.required && value[key] === undefined)
    .map(([key]) => `${path}.${key} is required`);
  const nested = Object.entries(value)
    .filter(([key]) => key in properties)
    .flatMap(([key, item]) => {
      const property = properties[key];
      return property ? validateValue(db, item, property.type, `${path}.${key}`) : [];
    });
  return [...unknown, ...missing, ...nested];
};

const validateValue = (db: SpecDatabase, value: unknown, type: PropertyType, path: string): string[] => {
  if (isIntrinsic(value)) return [];
  switch (type.type) {
    case 'ref': {
      const definition: TypeDefinition = db.get('typeDefinition', type.reference);
      return validateObject(db, value, definition.properties, path);
    }
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((item, index) => validateValue(db, item, type.element, `${path}[${index}]`))
        : [`${path} should be a list`];
    case 'map':
      return isRecord(value)
        ? Object.entries(value).flatMap(([key, item]) =>
            validateValue(db, item, type.element, `${path}.${key}`),
          )
        : [`${path} should be a map`];
    case 'union': {
      const attempts = type.types.map((option) => validateValue(db, value, option, path));
      if (attempts.some((violations) => violations.length === 0)) return [];
      return attempts.reduce((fewest, violations) =>
        violations.length < fewest.length ? violations : fewest,
      );
    }
    case 'json':
    case 'tag':
      return [];
    default:
      // Scalars: CloudFormation converts between strings, numbers and booleans itself.
      return isRecord(value) || Array.isArray(value) ? [`${path} should be a ${type.type}`] : [];
  }
};

export const checkResourcesAgainstSpec = (templates: Templates, db: SpecDatabase): string[] =>
  Object.entries(templates).flatMap(([service, template]) =>
    Object.entries(template.Resources).flatMap(([id, resource]) => {
      if (resource.Type.startsWith('Custom::')) return [];
      const spec = lookupResource(db, resource.Type);
      if (!spec) return [`${service}: ${id} has unknown type ${resource.Type}`];
      return validateObject(db, resource.Properties ?? {}, spec.properties, `${service}: ${id}`);
    }),
  );

/** Every Fn::GetAtt (and Sub's ${Res.Attr}) asks for an attribute its resource type has. */
export const checkGetAttAttributes = (templates: Templates, db: SpecDatabase): string[] =>
  Object.entries(templates).flatMap(([service, template]) => {
    const attributeExists = (id: string, attribute: string) => {
      const type = template.Resources[id]?.Type;
      if (!type || type.startsWith('Custom::')) return true; // unknown ids: checkReferences says so
      const spec = lookupResource(db, type);
      return !spec || attribute in spec.attributes;
    };
    const violations: string[] = [];
    for (const { value, path } of walk({ Resources: template.Resources, Outputs: template.Outputs ?? {} })) {
      const getAtt = getAttTarget(value);
      if (getAtt && !attributeExists(...getAtt)) {
        violations.push(
          `${service}: ${path} gets ${getAtt[1]}, which ${template.Resources[getAtt[0]]?.Type} lacks`,
        );
      }
      if (typeof value === 'string' && (path.endsWith('Fn::Sub') || path.endsWith('Fn::Sub[0]'))) {
        for (const match of value.matchAll(/\$\{([A-Za-z0-9]+)\.([A-Za-z0-9.]+)\}/g)) {
          const [, id = '', attribute = ''] = match;
          if (!attributeExists(id, attribute))
            violations.push(`${service}: ${path} substitutes ${id}.${attribute}, which does not exist`);
        }
      }
    }
    return violations;
  });
