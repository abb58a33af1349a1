/** Reading CloudFormation intrinsic functions in a packaged (JSON) template. */

export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{ Ref: … }`, `{ "Fn::…": … }` or `{ Condition: … }`: a value only known at deploy time. */
export const isIntrinsic = (value: unknown): boolean => {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  const [key] = keys;
  return (
    keys.length === 1 && key !== undefined && (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::'))
  );
};

export const refTarget = (value: unknown): string | undefined =>
  isRecord(value) && typeof value.Ref === 'string' ? value.Ref : undefined;

/** `{ "Fn::GetAtt": [id, attr] }` or its string form `"id.attr"`, as [id, attr]. */
export const getAttTarget = (value: unknown): [string, string] | undefined => {
  if (!isRecord(value)) return undefined;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
    return [getAtt[0], getAtt[1]];
  }
  if (typeof getAtt === 'string') {
    const dot = getAtt.indexOf('.');
    if (dot > 0) return [getAtt.slice(0, dot), getAtt.slice(dot + 1)];
  }
  return undefined;
};

/** The logical id an ARN-valued property points at, through Ref or GetAtt. */
export const referencedLogicalId = (value: unknown): string | undefined =>
  refTarget(value) ?? getAttTarget(value)?.[0];

/** The `${…}` placeholders of a Fn::Sub string (not the `${!…}` literals). */
export const subPlaceholders = (text: string): string[] =>
  [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((match) => match[1] ?? '').filter(Boolean);

export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

/** Every value in a JSON tree, with the path that leads to it. */
export function* walk(value: unknown, path = ''): Generator<{ value: unknown; path: string }> {
  yield { value, path };
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* walk(item, `${path}[${index}]`);
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) yield* walk(item, path ? `${path}.${key}` : key);
  }
}
