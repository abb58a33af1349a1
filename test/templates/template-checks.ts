/**
 * Checks on the packaged CloudFormation templates of every service. Each returns the
 * violations it finds, as readable sentences, so that a failing test says what to fix.
 */
import type { CloudFormationResource, CloudFormationTemplate } from '../../local/packaging/src';
import {
  asArray,
  getAttTarget,
  isRecord,
  PSEUDO_PARAMETERS,
  referencedLogicalId,
  refTarget,
  subPlaceholders,
  walk,
} from './intrinsics';

export type Templates = Record<string, CloudFormationTemplate>;

const FOURTEEN_DAYS = 1_209_600;
/** Lambda's own default when a function sets no timeout. */
const LAMBDA_DEFAULT_TIMEOUT = 3;
/** SQS's own default when a queue sets no visibility timeout. */
const SQS_DEFAULT_VISIBILITY_TIMEOUT = 30;

/** Actions AWS does not let a policy scope to a resource: the only ones allowed on "*". */
export const ACTIONS_WITHOUT_RESOURCE_SCOPE = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'cloudwatch:PutMetricData',
  // Callback tasks: no resource type in the Service Authorization Reference (the token is the key).
  'states:SendTaskSuccess',
  'states:SendTaskFailure',
  'states:SendTaskHeartbeat',
]);

const resourcesOfType = (
  template: CloudFormationTemplate,
  type: string,
): [string, CloudFormationResource][] =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

const props = (resource: CloudFormationResource | undefined): Record<string, unknown> =>
  resource?.Properties ?? {};

const each = <T>(
  templates: Templates,
  check: (service: string, template: CloudFormationTemplate) => T[],
): T[] => Object.entries(templates).flatMap(([service, template]) => check(service, template));

const isQueue = (template: CloudFormationTemplate, id: string | undefined): id is string =>
  id !== undefined && template.Resources[id]?.Type === 'AWS::SQS::Queue';

const redrivePolicy = (queue: CloudFormationResource): Record<string, unknown> | undefined => {
  const policy = props(queue).RedrivePolicy;
  if (typeof policy === 'string') return JSON.parse(policy) as Record<string, unknown>;
  return isRecord(policy) ? policy : undefined;
};

const ruleTargets = (rule: CloudFormationResource): Record<string, unknown>[] =>
  asArray(props(rule).Targets).filter(isRecord);

/** Queues that receive what others failed to deliver: redrive targets and rule DLQs. */
export const deadLetterQueueIds = (template: CloudFormationTemplate): Set<string> => {
  const ids = new Set<string>();
  for (const [, queue] of resourcesOfType(template, 'AWS::SQS::Queue')) {
    const target = referencedLogicalId(redrivePolicy(queue)?.deadLetterTargetArn);
    if (target) ids.add(target);
  }
  for (const [, rule] of resourcesOfType(template, 'AWS::Events::Rule')) {
    for (const target of ruleTargets(rule)) {
      const dlq = isRecord(target.DeadLetterConfig)
        ? referencedLogicalId(target.DeadLetterConfig.Arn)
        : undefined;
      if (dlq) ids.add(dlq);
    }
  }
  return ids;
};

/** Every work queue dead-letters after 3 to 5 receives, into a queue of the same stack. */
export const checkQueueRedrive = (templates: Templates): string[] =>
  each(templates, (service, template) => {
    const deadLetterQueues = deadLetterQueueIds(template);
    return resourcesOfType(template, 'AWS::SQS::Queue')
      .filter(([id]) => !deadLetterQueues.has(id))
      .flatMap(([id, queue]) => {
        const policy = redrivePolicy(queue);
        if (!policy) return [`${service}: queue ${id} has no RedrivePolicy`];
        const violations: string[] = [];
        const dlq = getAttTarget(policy.deadLetterTargetArn);
        if (dlq?.[1] !== 'Arn' || !isQueue(template, dlq[0])) {
          violations.push(`${service}: queue ${id} redrives to something that is not a queue of this stack`);
        }
        const count = Number(policy.maxReceiveCount);
        if (!(count >= 3 && count <= 5)) {
          violations.push(
            `${service}: queue ${id} has maxReceiveCount ${policy.maxReceiveCount}, not 3 to 5`,
          );
        }
        return violations;
      });
  });

/** A dead letter is kept 14 days, the most SQS allows, so that it can be looked at and redriven. */
export const checkDeadLetterRetention = (templates: Templates): string[] =>
  each(templates, (service, template) =>
    [...deadLetterQueueIds(template)].flatMap((id) => {
      if (!isQueue(template, id))
        return [`${service}: dead-letter target ${id} is not a queue of this stack`];
      const retention = props(template.Resources[id]).MessageRetentionPeriod;
      return retention === FOURTEEN_DAYS
        ? []
        : [`${service}: DLQ ${id} keeps messages ${retention ?? 345_600} s, not 14 days`];
    }),
  );

const sqsEventSourceMappings = (template: CloudFormationTemplate) =>
  resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')
    .map(([id, mapping]) => ({ id, mapping, queueId: referencedLogicalId(props(mapping).EventSourceArn) }))
    .filter(({ queueId }) => isQueue(template, queueId));

/** A message is not redelivered while the function may still be working on it (AWS: 6x). */
export const checkVisibilityTimeouts = (templates: Templates): string[] =>
  each(templates, (service, template) =>
    sqsEventSourceMappings(template).flatMap(({ id, mapping, queueId }) => {
      const functionId = referencedLogicalId(props(mapping).FunctionName);
      const fn = functionId ? template.Resources[functionId] : undefined;
      if (fn?.Type !== 'AWS::Lambda::Function') return [`${service}: ${id} feeds no function of this stack`];
      const timeout = Number(props(fn).Timeout ?? LAMBDA_DEFAULT_TIMEOUT);
      const visibility = Number(
        props(template.Resources[queueId ?? '']).VisibilityTimeout ?? SQS_DEFAULT_VISIBILITY_TIMEOUT,
      );
      return visibility >= 6 * timeout
        ? []
        : [
            `${service}: queue ${queueId} hides a message ${visibility} s, less than 6 x ${functionId}'s ${timeout} s`,
          ];
    }),
  );

/** One bad record never fails its neighbours (docs/architecture.md, invariant 2). */
export const checkPartialBatchResponses = (templates: Templates): string[] =>
  each(templates, (service, template) =>
    sqsEventSourceMappings(template)
      .filter(
        ({ mapping }) => !asArray(props(mapping).FunctionResponseTypes).includes('ReportBatchItemFailures'),
      )
      .map(({ id }) => `${service}: ${id} does not report partial batch failures`),
  );

/** EventBridge retries a failed delivery, then keeps the event in a DLQ instead of dropping it. */
export const checkRuleTargets = (templates: Templates): string[] =>
  each(templates, (service, template) =>
    resourcesOfType(template, 'AWS::Events::Rule').flatMap(([id, rule]) => {
      const targets = ruleTargets(rule);
      if (targets.length === 0) return [`${service}: rule ${id} has no targets`];
      // A schedule carries no job: a missed tick is made good by the next one, so it needs no DLQ.
      if (props(rule).ScheduleExpression !== undefined) return [];
      return targets.flatMap((target) => {
        const violations: string[] = [];
        const name = `${service}: rule ${id} target ${String(target.Id)}`;
        const dlq = isRecord(target.DeadLetterConfig)
          ? referencedLogicalId(target.DeadLetterConfig.Arn)
          : undefined;
        if (!isQueue(template, dlq))
          violations.push(`${name} has no DeadLetterConfig to a queue of this stack`);
        const retry = target.RetryPolicy;
        if (
          !isRecord(retry) ||
          typeof retry.MaximumRetryAttempts !== 'number' ||
          typeof retry.MaximumEventAgeInSeconds !== 'number'
        ) {
          violations.push(
            `${name} has no RetryPolicy with MaximumRetryAttempts and MaximumEventAgeInSeconds`,
          );
        }
        return violations;
      });
    }),
  );

const policyStatements = (document: unknown): Record<string, unknown>[] =>
  isRecord(document) ? asArray(document.Statement).filter(isRecord) : [];

const isPrincipal = (principal: unknown, service: string): boolean =>
  isRecord(principal) && asArray(principal.Service).includes(service);

/**
 * A rule can deliver: the queue policy lets events.amazonaws.com send, from this rule only,
 * to the target queue and to the rule's DLQ. Without it deliveries fail silently into retries.
 */
export const checkRulesCanDeliver = (templates: Templates): string[] =>
  each(templates, (service, template) => {
    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy').map(([, policy]) => ({
      queues: asArray(props(policy).Queues).map(refTarget),
      statements: policyStatements(props(policy).PolicyDocument),
    }));
    const allowsRule = (queueId: string, ruleId: string) =>
      policies.some(
        ({ queues, statements }) =>
          queues.includes(queueId) &&
          statements.some(
            (statement) =>
              statement.Effect === 'Allow' &&
              isPrincipal(statement.Principal, 'events.amazonaws.com') &&
              asArray(statement.Action).includes('sqs:SendMessage') &&
              asArray(statement.Resource).some((resource) => getAttTarget(resource)?.[0] === queueId) &&
              isRecord(statement.Condition) &&
              isRecord(statement.Condition.ArnEquals) &&
              getAttTarget(statement.Condition.ArnEquals['aws:SourceArn'])?.[0] === ruleId,
          ),
      );
    return resourcesOfType(template, 'AWS::Events::Rule').flatMap(([ruleId, rule]) =>
      ruleTargets(rule).flatMap((target) => {
        const queueId = referencedLogicalId(target.Arn);
        if (!isQueue(template, queueId)) return [];
        const dlqId = isRecord(target.DeadLetterConfig)
          ? referencedLogicalId(target.DeadLetterConfig.Arn)
          : undefined;
        return [queueId, dlqId]
          .filter((id): id is string => isQueue(template, id) && !allowsRule(id, ruleId))
          .map((id) => `${service}: no queue policy lets rule ${ruleId} send to ${id}`);
      }),
    );
  });

/** Every bus keeps its events in an archive, so that they can be replayed after a fix. */
export const checkBusArchives = (templates: Templates): string[] => {
  const buses = each(templates, (service, template) =>
    resourcesOfType(template, 'AWS::Events::EventBus').map(([id]) => ({ service, template, id })),
  );
  if (buses.length === 0) return ['no service defines the event bus'];
  return buses
    .filter(
      ({ template, id }) =>
        !resourcesOfType(template, 'AWS::Events::Archive').some(
          ([, archive]) => getAttTarget(props(archive).SourceArn)?.[0] === id,
        ),
    )
    .map(({ service, id }) => `${service}: event bus ${id} has no archive`);
};

const lambdaFunctions = (template: CloudFormationTemplate) =>
  resourcesOfType(template, 'AWS::Lambda::Function');

export const checkRuntimes = (templates: Templates): string[] =>
  each(templates, (service, template) =>
    lambdaFunctions(template)
      .filter(([, fn]) => props(fn).Runtime !== 'nodejs22.x')
      .map(([id, fn]) => `${service}: ${id} runs ${String(props(fn).Runtime)}, not nodejs22.x`),
  );

// What every function reads (LOG_LEVEL through Powertools' logger). No STAGE: no code read it.
const COMMON_ENVIRONMENT = [
  'EVENT_BUS_NAME',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'LOG_LEVEL',
];

export const checkFunctionEnvironment = (templates: Templates): string[] =>
  each(templates, (service, template) =>
    lambdaFunctions(template).flatMap(([id, fn]) => {
      const environment = props(fn).Environment;
      const variables = isRecord(environment) && isRecord(environment.Variables) ? environment.Variables : {};
      const missing = COMMON_ENVIRONMENT.filter((name) => variables[name] === undefined);
      const violations = missing.map((name) => `${service}: ${id} has no ${name}`);
      if (
        variables.POWERTOOLS_METRICS_NAMESPACE !== undefined &&
        variables.POWERTOOLS_METRICS_NAMESPACE !== 'Reelay'
      ) {
        violations.push(`${service}: ${id} publishes metrics outside the Reelay namespace`);
      }
      return violations;
    }),
  );

/** One role per function (docs/architecture.md, security rules), defined in the same stack. */
export const checkOneRolePerFunction = (templates: Templates): string[] =>
  each(templates, (service, template) => {
    const owners = new Map<string, string>();
    return lambdaFunctions(template).flatMap(([id, fn]) => {
      const role = getAttTarget(props(fn).Role)?.[0];
      if (!role || template.Resources[role]?.Type !== 'AWS::IAM::Role') {
        return [`${service}: ${id} has no IAM role of its own in this stack`];
      }
      const owner = owners.get(role);
      owners.set(role, id);
      return owner ? [`${service}: ${id} shares the role ${role} with ${owner}`] : [];
    });
  });

const IDENTITY_POLICY_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']);

const identityStatements = (resource: CloudFormationResource): Record<string, unknown>[] => {
  const properties = props(resource);
  const documents =
    resource.Type === 'AWS::IAM::Role'
      ? asArray(properties.Policies).map((policy) => (isRecord(policy) ? policy.PolicyDocument : undefined))
      : [properties.PolicyDocument];
  return documents.flatMap(policyStatements);
};

const isWildcardAction = (action: unknown): boolean =>
  typeof action === 'string' && (action === '*' || action.endsWith(':*'));

/** No Allow on every action or every resource, except actions AWS cannot scope. */
export const checkLeastPrivilege = (templates: Templates): string[] =>
  each(templates, (service, template) =>
    Object.entries(template.Resources).flatMap(([id, resource]) => {
      if (IDENTITY_POLICY_TYPES.has(resource.Type)) {
        return identityStatements(resource)
          .filter((statement) => statement.Effect === 'Allow')
          .flatMap((statement) => {
            const actions = asArray(statement.Action);
            const violations: string[] = [];
            if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
              violations.push(`${service}: ${id} allows NotAction/NotResource`);
            }
            const wildcard = actions.filter(isWildcardAction);
            if (wildcard.length > 0) violations.push(`${service}: ${id} allows ${wildcard.join(', ')}`);
            const unscopable = actions.filter(
              (action) => !ACTIONS_WITHOUT_RESOURCE_SCOPE.has(String(action)),
            );
            if (asArray(statement.Resource).includes('*') && unscopable.length > 0) {
              violations.push(`${service}: ${id} allows ${unscopable.join(', ')} on Resource "*"`);
            }
            return violations;
          });
      }
      // Resource policies (queues, buckets): never open to everyone.
      return policyStatements(props(resource).PolicyDocument)
        .filter((statement) => statement.Effect === 'Allow')
        .filter(
          (statement) =>
            statement.Principal === '*' || (isRecord(statement.Principal) && statement.Principal.AWS === '*'),
        )
        .map(() => `${service}: ${id} allows any principal`);
    }),
  );

/**
 * Every Ref, GetAtt, Sub placeholder and DependsOn names a resource, parameter or pseudo
 * parameter of the same template, and every ImportValue an export of another service. A
 * dangling reference packages fine and only fails at deploy time.
 */
export const checkReferences = (templates: Templates): string[] => {
  const exports = new Set(
    Object.values(templates).flatMap((template) =>
      Object.values(template.Outputs ?? {}).map((output) => output.Export?.Name),
    ),
  );
  return each(templates, (service, template) => {
    const known = (name: string) =>
      name in template.Resources || name in (template.Parameters ?? {}) || PSEUDO_PARAMETERS.has(name);
    const violations: string[] = [];
    const sections = {
      Resources: template.Resources,
      Outputs: template.Outputs ?? {},
      Conditions: template.Conditions ?? {},
    };
    for (const { value, path } of walk(sections)) {
      if (!isRecord(value)) continue;
      const ref = refTarget(value);
      if (ref !== undefined && !known(ref)) violations.push(`${service}: ${path} refers to unknown ${ref}`);
      const getAtt = getAttTarget(value);
      if (getAtt && !(getAtt[0] in template.Resources)) {
        violations.push(`${service}: ${path} gets ${getAtt[1]} of unknown ${getAtt[0]}`);
      }
      if ('Fn::GetAtt' in value && !getAtt) violations.push(`${service}: ${path} has a malformed Fn::GetAtt`);
      const sub = value['Fn::Sub'];
      if (sub !== undefined) {
        const [text, variables] = Array.isArray(sub) ? sub : [sub, {}];
        const local = isRecord(variables) ? variables : {};
        for (const placeholder of typeof text === 'string' ? subPlaceholders(text) : []) {
          const [name = ''] = placeholder.split('.');
          if (!(placeholder in local) && !known(name)) {
            violations.push(`${service}: ${path} substitutes unknown \${${placeholder}}`);
          }
        }
      }
      const imported = value['Fn::ImportValue'];
      if (typeof imported === 'string' && !exports.has(imported)) {
        violations.push(`${service}: ${path} imports ${imported}, which no service exports`);
      }
    }
    for (const [id, resource] of Object.entries(template.Resources)) {
      for (const dependency of asArray(resource.DependsOn ?? [])) {
        if (typeof dependency !== 'string' || !(dependency in template.Resources)) {
          violations.push(`${service}: ${id} depends on unknown ${String(dependency)}`);
        }
      }
    }
    return violations;
  });
};
