import { join } from 'node:path';
import { CreateTableCommand, type DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  type EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type ResolveContext, referencedIds, resolve } from './intrinsics';
import type { CloudFormationResource, CloudFormationTemplate } from './template';

/** Resource types that only matter in AWS (permissions, logs, monitoring), with the reason they are not emulated. */
export const CLOUD_ONLY_TYPES: Record<string, string> = {
  'AWS::IAM::Role': 'permissions are enforced by AWS only',
  'AWS::IAM::Policy': 'permissions are enforced by AWS only',
  'AWS::IAM::ManagedPolicy': 'permissions are enforced by AWS only',
  'AWS::Lambda::Permission': 'permissions are enforced by AWS only',
  'AWS::SQS::QueuePolicy': 'permissions are enforced by AWS only',
  'AWS::S3::BucketPolicy': 'permissions are enforced by AWS only',
  'AWS::Logs::LogGroup': 'local function logs go to the local log file',
  'AWS::Logs::SubscriptionFilter': 'local function logs go to the local log file',
  'AWS::Lambda::Version': 'the local Lambda runs $LATEST',
  'AWS::Lambda::Alias': 'the local Lambda runs $LATEST',
  'AWS::CloudWatch::Dashboard': 'CloudWatch is not emulated; the local console shows queues and jobs',
  'AWS::CloudWatch::Alarm': 'CloudWatch is not emulated; the local console shows queues and jobs',
  'AWS::SNS::Topic': 'alarm notifications exist only in AWS',
  'AWS::SNS::Subscription': 'alarm notifications exist only in AWS',
  'AWS::ApiGatewayV2::Stage': 'the local HTTP API has a single stage',
  'AWS::ApiGatewayV2::Api': 'the local HTTP API server stands for it; routes and integrations are wired',
  'AWS::Cognito::UserPool': 'the local HTTP API trusts the local dev issuer (npm run token -- <userId>)',
  'AWS::Cognito::UserPoolClient':
    'the local HTTP API trusts the local dev issuer (npm run token -- <userId>)',
  'AWS::Cognito::UserPoolDomain':
    'the local HTTP API trusts the local dev issuer (npm run token -- <userId>)',
  'AWS::Cognito::UserPoolResourceServer':
    'the local HTTP API trusts the local dev issuer (npm run token -- <userId>)',
};

export interface LocalFunctionSpec {
  logicalId: string;
  name: string;
  arn: string;
  handlerFile: string;
  exportName: string;
  env: Record<string, string>;
  timeoutSec: number;
  memoryMb: number;
  reservedConcurrency?: number;
  /** The execution role (arn:aws:iam::<account>:role/<name>) whose policies the function's calls get. */
  roleArn?: string;
}

/** An IAM role of the template, with its identity policies resolved for the local account and names. */
export interface RoleSpec {
  arn: string;
  name: string;
  policies: Array<{ name: string; policy: { Version?: string; Statement: unknown } }>;
}
export interface EventSourceSpec {
  queueArn: string;
  functionName: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency?: number;
  enabled: boolean;
}
export interface RouteSpec {
  routeKey: string;
  functionArn: string;
  jwt?: { issuer?: string; audience: string[] };
}
/** An HTTP API's CorsConfiguration (AWS::ApiGatewayV2::Api), which API Gateway answers preflights with. */
export interface CorsSpec {
  AllowOrigins?: string[];
  AllowMethods?: string[];
  AllowHeaders?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
  AllowCredentials?: boolean;
}

/** What the local runtime must run once the infrastructure exists. */
export interface DeployTargets {
  addFunction(spec: LocalFunctionSpec): void;
  addEventSource(spec: EventSourceSpec): void;
  addRoute(spec: RouteSpec): void;
  /** The HTTP API's CORS configuration, when its template sets one. */
  setCors?(cors: CorsSpec): void;
  /** Called once every resource exists, for each role with its inline and attached policies. */
  addRole?(spec: RoleSpec): void;
}

export interface DeployClients {
  region: string;
  accountId: string;
  sqs: SQSClient;
  events: EventBridgeClient;
  sfn: SFNClient;
  dynamodb: DynamoDBClient;
  s3: S3Client;
}

export interface StackInput {
  stackName: string;
  template: CloudFormationTemplate;
  /** The service folder: function handlers are resolved against it. */
  serviceDir: string;
}

export class UnwiredResourceError extends Error {}

/**
 * A resource's Properties after intrinsics are resolved: free-form JSON whose shape depends on the
 * resource type, read field by field below (CloudFormation's own schema checks them in AWS).
 */
// biome-ignore lint/suspicious/noExplicitAny: free-form CloudFormation Properties, read per resource type
type ResolvedProperties = Record<string, any>;

interface Deployed {
  ref: string;
  attrs: Record<string, string>;
}

/** Shared across stacks: exports and queue URLs by ARN. */
export class LocalCloudState {
  readonly exports = new Map<string, string>();
  readonly queueUrlByArn = new Map<string, string>();
}

/**
 * Deploys one CloudFormation template onto the embedded cloud through the real AWS APIs: queues,
 * buses, rules, archives, tables, buckets, state machines; and registers functions, event source
 * mappings and routes with the local runtime. A resource type it does not know and that is not
 * listed as cloud-only fails the deploy, so nothing is silently left unwired.
 */
export async function deployStack(
  stack: StackInput,
  clients: DeployClients,
  targets: DeployTargets,
  state: LocalCloudState,
) {
  const { region, accountId } = clients;
  const deployed = new Map<string, Deployed>();
  const resources = stack.template.Resources;
  const parameters = Object.fromEntries(
    Object.entries(stack.template.Parameters ?? {}).map(([k, p]) => [k, p.Default ?? '']),
  );
  const ctx: ResolveContext = {
    pseudo: {
      'AWS::AccountId': accountId,
      'AWS::Region': region,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stack.stackName,
      'AWS::StackId': `arn:aws:cloudformation:${region}:${accountId}:stack/${stack.stackName}/local`,
    },
    parameters,
    ref: (id) =>
      deployed.get(id)?.ref ??
      (resources[id]?.Type === 'AWS::IAM::Role' ? roleName(id) : undefined) ??
      (resources[id] && CLOUD_ONLY_TYPES[resources[id].Type] ? `${stack.stackName}-${id}` : undefined),
    getAtt: (id, attr) => {
      const d = deployed.get(id);
      if (d) return d.attrs[attr];
      const r = resources[id];
      if (r?.Type === 'AWS::IAM::Role' && attr === 'Arn')
        return `arn:aws:iam::${accountId}:role/${roleName(id)}`;
      if (r && CLOUD_ONLY_TYPES[r.Type])
        return `arn:aws:local:${region}:${accountId}:${stack.stackName}-${id}`;
      return undefined;
    },
    importValue: (name) => state.exports.get(name),
  };
  const props = (r: CloudFormationResource) => resolve(r.Properties ?? {}, ctx) as ResolvedProperties;
  // A role's name (and so its ARN) is known before anything is deployed: RoleName uses only
  // parameters and pseudo parameters, or CloudFormation generates one from the stack.
  const roleName = (id: string): string => {
    const given = resources[id]?.Properties?.RoleName;
    return given === undefined ? `${stack.stackName}-${id}` : String(resolve(given, ctx));
  };
  const functionsByArnOrName = new Map<string, LocalFunctionSpec>();
  const wired = new Set<string>();
  const integrations = new Map<string, string>();
  const authorizers = new Map<string, { issuer?: string; audience: string[] }>();
  const routes: Array<{ id: string; p: ResolvedProperties }> = [];

  for (const id of deploymentOrder(resources)) {
    const resource = resources[id] as CloudFormationResource;
    const type = resource.Type;
    if (CLOUD_ONLY_TYPES[type]) continue;
    const p = props(resource);
    switch (type) {
      case 'AWS::SQS::Queue': {
        const name = String(p.QueueName ?? `${stack.stackName}-${id}`);
        const attributes: Record<string, string> = {};
        for (const key of [
          'VisibilityTimeout',
          'MessageRetentionPeriod',
          'DelaySeconds',
          'ReceiveMessageWaitTimeSeconds',
          'MaximumMessageSize',
        ]) {
          if (p[key] !== undefined) attributes[key] = String(p[key]);
        }
        if (p.RedrivePolicy)
          attributes.RedrivePolicy =
            typeof p.RedrivePolicy === 'string' ? p.RedrivePolicy : JSON.stringify(p.RedrivePolicy);
        const { QueueUrl } = await clients.sqs.send(
          new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
        );
        const arn = `arn:aws:sqs:${region}:${accountId}:${name}`;
        state.queueUrlByArn.set(arn, String(QueueUrl));
        deployed.set(id, {
          ref: String(QueueUrl),
          attrs: { Arn: arn, QueueName: name, QueueUrl: String(QueueUrl) },
        });
        break;
      }
      case 'AWS::Events::EventBus': {
        const name = String(p.Name);
        const { EventBusArn } = await clients.events.send(new CreateEventBusCommand({ Name: name }));
        deployed.set(id, { ref: name, attrs: { Arn: String(EventBusArn), Name: name } });
        break;
      }
      case 'AWS::Events::Archive': {
        const name = String(p.ArchiveName ?? `${stack.stackName}-${id}`);
        const { ArchiveArn } = await clients.events.send(
          new CreateArchiveCommand({
            ArchiveName: name,
            EventSourceArn: p.SourceArn,
            EventPattern: p.EventPattern
              ? typeof p.EventPattern === 'string'
                ? p.EventPattern
                : JSON.stringify(p.EventPattern)
              : undefined,
            RetentionDays: p.RetentionDays,
          }),
        );
        deployed.set(id, { ref: name, attrs: { Arn: String(ArchiveArn), ArchiveName: name } });
        break;
      }
      case 'AWS::Events::Rule': {
        const name = String(p.Name ?? `${stack.stackName}-${id}`);
        const busName = p.EventBusName ? String(p.EventBusName).split('/').pop() : 'default';
        const { RuleArn } = await clients.events.send(
          new PutRuleCommand({
            Name: name,
            EventBusName: busName,
            EventPattern: p.EventPattern
              ? typeof p.EventPattern === 'string'
                ? p.EventPattern
                : JSON.stringify(p.EventPattern)
              : undefined,
            ScheduleExpression: p.ScheduleExpression,
            State: p.State ?? 'ENABLED',
          }),
        );
        const targets = (p.Targets ?? []) as ResolvedProperties[];
        for (const t of targets) {
          // A Lambda target (e.g. a `schedule` event) is invoked by the emulator's EventBridge.
          const lambdaTarget = functionsByArnOrName.get(String(t.Arn));
          if (lambdaTarget) {
            wired.add(lambdaTarget.name);
            continue;
          }
          if (!String(t.Arn).startsWith('arn:aws:sqs:') && !String(t.Arn).startsWith('arn:aws:events:')) {
            throw new UnwiredResourceError(
              `rule ${name} targets ${t.Arn}: only SQS queues, event buses and functions of this stack are wired locally`,
            );
          }
        }
        if (targets.length > 0) {
          await clients.events.send(
            new PutTargetsCommand({
              Rule: name,
              EventBusName: busName,
              Targets: targets.map((t) => ({
                Id: String(t.Id),
                Arn: String(t.Arn),
                Input: t.Input,
                InputPath: t.InputPath,
                InputTransformer: t.InputTransformer,
                DeadLetterConfig: t.DeadLetterConfig,
                RetryPolicy: t.RetryPolicy,
              })),
            }),
          );
        }
        deployed.set(id, { ref: name, attrs: { Arn: String(RuleArn) } });
        break;
      }
      case 'AWS::DynamoDB::Table': {
        const name = String(p.TableName ?? `${stack.stackName}-${id}`);
        await clients.dynamodb.send(
          new CreateTableCommand({
            TableName: name,
            KeySchema: p.KeySchema,
            AttributeDefinitions: p.AttributeDefinitions,
            BillingMode: p.BillingMode ?? 'PAY_PER_REQUEST',
            ProvisionedThroughput: p.ProvisionedThroughput,
            GlobalSecondaryIndexes: p.GlobalSecondaryIndexes?.map((g: Record<string, unknown>) => ({
              ...g,
              ContributorInsightsSpecification: undefined,
            })),
            LocalSecondaryIndexes: p.LocalSecondaryIndexes,
          }),
        );
        if (p.TimeToLiveSpecification?.Enabled) {
          await clients.dynamodb.send(
            new UpdateTimeToLiveCommand({
              TableName: name,
              TimeToLiveSpecification: p.TimeToLiveSpecification,
            }),
          );
        }
        deployed.set(id, {
          ref: name,
          attrs: { Arn: `arn:aws:dynamodb:${region}:${accountId}:table/${name}` },
        });
        break;
      }
      case 'AWS::S3::Bucket': {
        const name = String(p.BucketName ?? `${stack.stackName}-${id}`.toLowerCase());
        await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
        deployed.set(id, {
          ref: name,
          attrs: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` },
        });
        break;
      }
      case 'AWS::Lambda::Function': {
        const name = String(p.FunctionName ?? `${stack.stackName}-${id}`);
        const arn = `arn:aws:lambda:${region}:${accountId}:function:${name}`;
        const [modulePath, exportName] = splitHandler(String(p.Handler));
        const spec: LocalFunctionSpec = {
          logicalId: id,
          name,
          arn,
          handlerFile: join(stack.serviceDir, `${modulePath}.ts`),
          exportName,
          env: Object.fromEntries(
            Object.entries((p.Environment?.Variables ?? {}) as Record<string, unknown>).map(([k, v]) => [
              k,
              String(v),
            ]),
          ),
          timeoutSec: Number(p.Timeout ?? 3),
          memoryMb: Number(p.MemorySize ?? 128),
          reservedConcurrency:
            p.ReservedConcurrentExecutions === undefined ? undefined : Number(p.ReservedConcurrentExecutions),
          ...(typeof p.Role === 'string' && p.Role.startsWith('arn:aws:iam::') ? { roleArn: p.Role } : {}),
        };
        targets.addFunction(spec);
        functionsByArnOrName.set(arn, spec).set(name, spec);
        deployed.set(id, { ref: name, attrs: { Arn: arn } });
        break;
      }
      case 'AWS::Lambda::EventSourceMapping': {
        const fn = functionsByArnOrName.get(String(p.FunctionName));
        if (!fn)
          throw new UnwiredResourceError(
            `event source mapping ${id} targets an unknown function ${p.FunctionName}`,
          );
        targets.addEventSource({
          queueArn: String(p.EventSourceArn),
          functionName: fn.name,
          batchSize: Number(p.BatchSize ?? 10),
          reportBatchItemFailures: ((p.FunctionResponseTypes ?? []) as string[]).includes(
            'ReportBatchItemFailures',
          ),
          maximumConcurrency: p.ScalingConfig?.MaximumConcurrency,
          enabled: p.Enabled !== false,
        });
        wired.add(fn.name);
        deployed.set(id, { ref: id, attrs: {} });
        break;
      }
      case 'AWS::StepFunctions::StateMachine': {
        const name = String(p.StateMachineName ?? `${stack.stackName}-${id}`);
        let definition =
          typeof p.DefinitionString === 'string' ? p.DefinitionString : JSON.stringify(p.Definition ?? {});
        for (const [k, v] of Object.entries((p.DefinitionSubstitutions ?? {}) as Record<string, unknown>)) {
          definition = definition.split(`\${${k}}`).join(String(v));
        }
        for (const [key, fn] of functionsByArnOrName) if (definition.includes(key)) wired.add(fn.name);
        const { stateMachineArn } = await clients.sfn.send(
          new CreateStateMachineCommand({
            name,
            definition,
            roleArn: String(p.RoleArn ?? `arn:aws:iam::${accountId}:role/local`),
            type: p.StateMachineType ?? 'STANDARD',
          }),
        );
        deployed.set(id, {
          ref: String(stateMachineArn),
          attrs: { Arn: String(stateMachineArn), Name: name },
        });
        break;
      }
      case 'AWS::ApiGatewayV2::Integration': {
        integrations.set(id, String(p.IntegrationUri));
        deployed.set(id, { ref: id, attrs: {} });
        break;
      }
      case 'AWS::ApiGatewayV2::Authorizer': {
        authorizers.set(id, {
          issuer: p.JwtConfiguration?.Issuer,
          audience: (p.JwtConfiguration?.Audience ?? []) as string[],
        });
        deployed.set(id, { ref: id, attrs: {} });
        break;
      }
      case 'AWS::ApiGatewayV2::Route': {
        routes.push({ id, p });
        deployed.set(id, { ref: id, attrs: {} });
        break;
      }
      default:
        throw new UnwiredResourceError(`${id} (${type}) is neither wired locally nor listed as cloud-only`);
    }
  }

  for (const resource of Object.values(resources)) {
    if (resource.Type === 'AWS::ApiGatewayV2::Api' && resource.Properties?.CorsConfiguration)
      targets.setCors?.(props(resource).CorsConfiguration as CorsSpec);
  }

  for (const { id, p } of routes) {
    const integrationId = String(p.Target ?? '').replace(/^integrations\//, '');
    const functionArn = integrations.get(integrationId);
    if (!functionArn) throw new UnwiredResourceError(`route ${id} (${p.RouteKey}) has no integration`);
    const fnArn = functionArn.match(/arn:aws:lambda:[^:]+:[^:]+:function:[^/:]+/)?.[0] ?? functionArn;
    const fn = functionsByArnOrName.get(fnArn);
    if (!fn)
      throw new UnwiredResourceError(
        `route ${id} (${p.RouteKey}) targets an unknown function ${functionArn}`,
      );
    const jwt = p.AuthorizationType === 'JWT' ? authorizers.get(String(p.AuthorizerId)) : undefined;
    targets.addRoute({ routeKey: String(p.RouteKey), functionArn: fn.arn, ...(jwt ? { jwt } : {}) });
    wired.add(fn.name);
  }

  for (const [key, output] of Object.entries(stack.template.Outputs ?? {})) {
    if (!output.Export) continue;
    try {
      state.exports.set(String(resolve(output.Export.Name, ctx)), String(resolve(output.Value, ctx)));
    } catch (error) {
      throw new UnwiredResourceError(`output ${key} of ${stack.stackName}: ${(error as Error).message}`);
    }
  }

  if (targets.addRole) {
    for (const role of templateRoles(resources, props, roleName, accountId)) targets.addRole(role);
  }

  const unwired = [...new Set(functionsByArnOrName.values())].filter((f) => !wired.has(f.name));
  if (unwired.length > 0) {
    throw new UnwiredResourceError(
      `functions with no local trigger: ${unwired.map((f) => f.name).join(', ')}`,
    );
  }
  return { resources: Object.fromEntries([...deployed].map(([id, d]) => [id, d.ref])) };
}

/** Every role of the template with its inline policies and the AWS::IAM::Policy resources attached to it. */
function templateRoles(
  resources: Record<string, CloudFormationResource>,
  props: (r: CloudFormationResource) => ResolvedProperties,
  roleName: (id: string) => string,
  accountId: string,
): RoleSpec[] {
  const roles = new Map<string, RoleSpec>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const p = props(r);
    const name = roleName(id);
    roles.set(name, {
      arn: `arn:aws:iam::${accountId}:role/${name}`,
      name,
      policies: ((p.Policies ?? []) as ResolvedProperties[]).map((policy) => ({
        name: String(policy.PolicyName),
        policy: policy.PolicyDocument,
      })),
    });
  }
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const p = props(r);
    for (const attached of (p.Roles ?? []) as string[]) {
      roles.get(String(attached))?.policies.push({
        name: String(p.PolicyName ?? p.ManagedPolicyName ?? 'attached'),
        policy: p.PolicyDocument,
      });
    }
  }
  return [...roles.values()];
}

function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}

/** Resources in an order where every reference is deployed before the resource that uses it. */
export function deploymentOrder(resources: Record<string, CloudFormationResource>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string) => {
    if (state.get(id) === 'done' || !resources[id]) return;
    if (state.get(id) === 'visiting') return; // cycles only go through cloud-only resources (roles)
    state.set(id, 'visiting');
    const r = resources[id];
    const deps = referencedIds(r.Properties ?? {});
    for (const d of [r.DependsOn ?? []].flat()) deps.add(d);
    for (const d of deps) visit(d);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of Object.keys(resources)) visit(id);
  return order;
}
