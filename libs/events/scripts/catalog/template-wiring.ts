/**
 * What the packaged CloudFormation templates say about events: each EventBridge rule's pattern,
 * the queue it targets, and the function whose event source is that queue.
 */
import type { CloudFormationResource, CloudFormationTemplate } from '../../../../local/packaging/src';

/** The fields of an EventBridge pattern the catalog reads; any other key is shown, not interpreted. */
export interface EventPattern {
  source?: unknown[];
  'detail-type'?: unknown[];
  detail?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface RuleConsumer {
  /** The rule target's queue (logical id in its stack). */
  queue: string;
  /** The functions reading that queue (serverless function names, e.g. `plan`). */
  functions: string[];
}

export interface WiredRule {
  service: string;
  /** Logical id of the AWS::Events::Rule. */
  rule: string;
  pattern?: EventPattern;
  schedule?: string;
  consumers: RuleConsumer[];
  /** Targets that are not queues (a schedule invoking a function directly). */
  functionTargets: string[];
}

export interface WiredRoute {
  service: string;
  routeKey: string;
  /** The function behind the route's integration. */
  function?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The logical id behind `{ "Fn::GetAtt": [id, …] }` or `{ "Ref": id }`, if that is what `value` is. */
export const referencedId = (value: unknown): string | undefined => {
  if (!isRecord(value)) return undefined;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof value.Ref === 'string') return value.Ref;
  return undefined;
};

/** `reelay-generator-dev-plan` → `plan`: the function's name in its serverless.yml. */
const functionName = (service: string, resources: Record<string, CloudFormationResource>, id: string) => {
  const name = resources[id]?.Properties?.FunctionName;
  if (typeof name !== 'string') return id;
  const prefix = new RegExp(`^reelay-${service}-[^-]+-`);
  return name.replace(prefix, '');
};

const ofType = (resources: Record<string, CloudFormationResource>, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

/** The functions whose event source mapping reads each queue of a stack. */
const queueReaders = (service: string, resources: Record<string, CloudFormationResource>) => {
  const readers = new Map<string, string[]>();
  for (const [, mapping] of ofType(resources, 'AWS::Lambda::EventSourceMapping')) {
    const queue = referencedId(mapping.Properties?.EventSourceArn);
    const fn = referencedId(mapping.Properties?.FunctionName);
    if (!queue || !fn) continue;
    readers.set(queue, [...(readers.get(queue) ?? []), functionName(service, resources, fn)].sort());
  }
  return readers;
};

export function wiredRules(templates: Record<string, CloudFormationTemplate>): WiredRule[] {
  return Object.entries(templates).flatMap(([service, template]) => {
    const resources = template.Resources;
    const readers = queueReaders(service, resources);
    return ofType(resources, 'AWS::Events::Rule').map(([rule, resource]): WiredRule => {
      const properties = resource.Properties ?? {};
      const targets = Array.isArray(properties.Targets) ? properties.Targets.filter(isRecord) : [];
      const consumers: RuleConsumer[] = [];
      const functionTargets: string[] = [];
      for (const target of targets) {
        const id = referencedId(target.Arn);
        if (!id) continue;
        if (resources[id]?.Type === 'AWS::SQS::Queue')
          consumers.push({ queue: id, functions: readers.get(id) ?? [] });
        else if (resources[id]?.Type === 'AWS::Lambda::Function')
          functionTargets.push(functionName(service, resources, id));
      }
      return {
        service,
        rule,
        ...(isRecord(properties.EventPattern) ? { pattern: properties.EventPattern as EventPattern } : {}),
        ...(typeof properties.ScheduleExpression === 'string'
          ? { schedule: properties.ScheduleExpression }
          : {}),
        consumers,
        functionTargets,
      };
    });
  });
}

/** `{ "Fn::Join": ["/", ["integrations", { "Ref": id }]] }` → id. */
const integrationOf = (target: unknown): string | undefined => {
  if (!isRecord(target)) return undefined;
  const join = target['Fn::Join'];
  const parts = Array.isArray(join) && Array.isArray(join[1]) ? join[1] : [];
  return parts.map(referencedId).find((id) => id !== undefined);
};

export function wiredRoutes(templates: Record<string, CloudFormationTemplate>): WiredRoute[] {
  return Object.entries(templates).flatMap(([service, template]) =>
    ofType(template.Resources, 'AWS::ApiGatewayV2::Route').flatMap(([, route]): WiredRoute[] => {
      const routeKey = route.Properties?.RouteKey;
      if (typeof routeKey !== 'string') return [];
      const integration = integrationOf(route.Properties?.Target);
      const fn = integration && referencedId(template.Resources[integration]?.Properties?.IntegrationUri);
      return [
        { service, routeKey, ...(fn ? { function: functionName(service, template.Resources, fn) } : {}) },
      ];
    }),
  );
}

/**
 * Whether a rule's pattern can match an event of this name published by one of these sources.
 * Reads the pattern as EventBridge does for the keys the project uses: exact strings and
 * `{ prefix }` in `source` and `detail-type`; an absent key matches anything. A `detail` filter
 * narrows the match but does not rule it out (it is shown next to the rule in the catalog).
 */
export function patternMatches(
  pattern: EventPattern,
  detailType: string,
  sources: readonly string[],
): boolean {
  const matchesOne = (values: unknown[] | undefined, actual: string) =>
    values === undefined ||
    values.some(
      (value) =>
        value === actual ||
        (isRecord(value) && typeof value.prefix === 'string' && actual.startsWith(value.prefix)) ||
        (isRecord(value) && Array.isArray(value['anything-but']) && !value['anything-but'].includes(actual)),
    );
  return (
    matchesOne(pattern['detail-type'], detailType) &&
    sources.some((source) => matchesOne(pattern.source, source))
  );
}

export interface WiredStateMachine {
  service: string;
  /** Logical id of the AWS::StepFunctions::StateMachine. */
  stateMachine: string;
  /** The functions its Task states invoke (the `${…}` variables of its definition). */
  tasks: string[];
}

/** State machines and the functions their definitions reference (serverless-step-functions writes a `Fn::Sub`). */
export function wiredStateMachines(templates: Record<string, CloudFormationTemplate>): WiredStateMachine[] {
  return Object.entries(templates).flatMap(([service, template]) =>
    ofType(template.Resources, 'AWS::StepFunctions::StateMachine').map(([stateMachine, resource]) => {
      const definition = resource.Properties?.DefinitionString;
      const sub = isRecord(definition) ? definition['Fn::Sub'] : undefined;
      const variables = Array.isArray(sub) && isRecord(sub[1]) ? Object.values(sub[1]) : [];
      const tasks = variables
        .map(referencedId)
        .filter(
          (id): id is string => id !== undefined && template.Resources[id]?.Type === 'AWS::Lambda::Function',
        )
        .map((id) => functionName(service, template.Resources, id));
      return { service, stateMachine, tasks };
    }),
  );
}
