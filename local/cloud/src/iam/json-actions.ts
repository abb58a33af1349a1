import type { IamRequest } from './policy-engine';
import { ssmRequests } from './ssm-actions';

export interface ArnScope {
  region: string;
  accountId: string;
}

type Body = Record<string, unknown>;

/**
 * The IAM actions and resources of a JSON-protocol request (DynamoDB, SQS, EventBridge, Step
 * Functions), following each service's "Actions, resources and condition keys" reference. A batch
 * or transaction is one request per item it touches, each checked (as IAM checks
 * TransactWriteItems: PutItem/UpdateItem/DeleteItem/ConditionCheckItem on each item's table).
 */
export function jsonOperation(
  service: JsonServiceName,
  operation: string,
  body: Body,
  scope: ArnScope,
): IamRequest[] {
  switch (service) {
    case 'dynamodb':
      return dynamodbRequests(operation, body, scope);
    case 'sqs':
      return sqsRequests(operation, body, scope);
    case 'events':
      return eventsRequests(operation, body, scope);
    case 'states':
      return statesRequests(operation, body, scope);
    case 'scheduler':
      return schedulerRequests(operation, body, scope);
    case 'ssm':
      return ssmRequests(operation, body, scope);
  }
}

export type JsonServiceName = 'dynamodb' | 'sqs' | 'events' | 'states' | 'scheduler' | 'ssm';

/** The signing name and IAM prefix of each X-Amz-Target prefix. */
export const JSON_SERVICE_BY_TARGET_PREFIX: Record<string, JsonServiceName> = {
  DynamoDB_20120810: 'dynamodb',
  AmazonSQS: 'sqs',
  AWSEvents: 'events',
  AWSStepFunctions: 'states',
  // EventBridge Scheduler speaks REST-JSON; its server hands the gate this prefix (scheduler-server.ts).
  AWSScheduler: 'scheduler',
  AmazonSSM: 'ssm',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

// --- DynamoDB ---------------------------------------------------------------------------------

const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};
const DYNAMODB_UNSCOPED = new Set([
  'ListTables',
  'DescribeLimits',
  'DescribeEndpoints',
  'ListBackups',
  'ListGlobalTables',
]);

function dynamodbRequests(operation: string, body: Body, { region, accountId }: ArnScope): IamRequest[] {
  const tableArn = (name: string) =>
    name.startsWith('arn:') ? name : `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = Array.isArray(body.TransactItems) ? (body.TransactItems as Body[]) : [];
    return items.flatMap((item) =>
      Object.entries(item)
        .filter(([kind]) => TRANSACT_ITEM_ACTIONS[kind])
        .map(([kind, spec]) => ({
          action: TRANSACT_ITEM_ACTIONS[kind] as string,
          resource: tableArn(str((spec as Body)?.TableName) ?? ''),
        })),
    );
  }
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    const tables = Object.keys((body.RequestItems as Body | undefined) ?? {});
    return tables.map((t) => ({ action: `dynamodb:${operation}`, resource: tableArn(t) }));
  }
  if (DYNAMODB_UNSCOPED.has(operation)) return [{ action: `dynamodb:${operation}`, resource: '*' }];
  const table = str(body.TableName) ?? str(body.ResourceArn);
  if (!table) return [{ action: `dynamodb:${operation}`, resource: '*' }];
  const index = str(body.IndexName);
  return [
    {
      action: `dynamodb:${operation}`,
      resource: index ? `${tableArn(table)}/index/${index}` : tableArn(table),
    },
  ];
}

// --- SQS ------------------------------------------------------------------------------------------

const SQS_BATCH_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

function sqsRequests(operation: string, body: Body, { region, accountId }: ArnScope): IamRequest[] {
  const action = `sqs:${SQS_BATCH_ACTIONS[operation] ?? operation}`;
  const queueArn = (name: string, account = accountId) => `arn:aws:sqs:${region}:${account}:${name}`;
  const url = str(body.QueueUrl);
  if (url) {
    const [account, name] = new URL(url, 'http://local').pathname.split('/').filter(Boolean).slice(-2);
    return [{ action, resource: queueArn(name ?? '', account) }];
  }
  const name = str(body.QueueName);
  if (name) return [{ action, resource: queueArn(name, str(body.QueueOwnerAWSAccountId) ?? accountId) }];
  const source = str(body.SourceArn);
  if (source) return [{ action, resource: source }];
  if (operation === 'CancelMessageMoveTask') {
    // The task handle names its source queue (base64 JSON in AWS and here alike).
    const handle = decodeTaskHandle(str(body.TaskHandle));
    if (handle) return [{ action, resource: handle }];
  }
  return [{ action, resource: '*' }];
}

function decodeTaskHandle(handle: string | undefined): string | undefined {
  if (!handle) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(handle, 'base64').toString('utf8')) as Body;
    return str(parsed.sourceArn) ?? str(parsed.SourceArn);
  } catch {
    return undefined;
  }
}

// --- EventBridge --------------------------------------------------------------------------------

function eventsRequests(operation: string, body: Body, { region, accountId }: ArnScope): IamRequest[] {
  const action = `events:${operation}`;
  const arn = (type: string, name: string) =>
    name.startsWith('arn:') ? name : `arn:aws:events:${region}:${accountId}:${type}/${name}`;
  const busArn = (bus: unknown) => arn('event-bus', str(bus) ?? 'default');
  switch (operation) {
    case 'PutEvents': {
      const entries = Array.isArray(body.Entries) ? (body.Entries as Body[]) : [];
      const buses = [...new Set(entries.map((e) => busArn(e.EventBusName)))];
      return buses.map((resource) => ({ action, resource }));
    }
    case 'PutRule':
    case 'DeleteRule':
    case 'DescribeRule':
    case 'EnableRule':
    case 'DisableRule':
    case 'PutTargets':
    case 'RemoveTargets':
    case 'ListTargetsByRule': {
      const rule = str(body.Name) ?? str(body.Rule) ?? '';
      const bus = str(body.EventBusName);
      const busName = bus?.startsWith('arn:') ? bus.split('/').pop() : bus;
      const ruleName = !busName || busName === 'default' ? rule : `${busName}/${rule}`;
      return [{ action, resource: arn('rule', ruleName) }];
    }
    case 'CreateEventBus':
    case 'DeleteEventBus':
    case 'DescribeEventBus':
      return [{ action, resource: busArn(body.Name) }];
    case 'CreateArchive':
    case 'DeleteArchive':
    case 'DescribeArchive':
    case 'UpdateArchive':
      return [{ action, resource: arn('archive', str(body.ArchiveName) ?? '') }];
    case 'StartReplay':
    case 'DescribeReplay':
    case 'CancelReplay':
      return [{ action, resource: arn('replay', str(body.ReplayName) ?? '') }];
    default:
      return [{ action, resource: '*' }];
  }
}

// --- Step Functions -------------------------------------------------------------------------------

const STATES_EXECUTION_OPERATIONS = new Set([
  'DescribeExecution',
  'StopExecution',
  'GetExecutionHistory',
  'DescribeStateMachineForExecution',
  'RedriveExecution',
]);

function statesRequests(operation: string, body: Body, { region, accountId }: ArnScope): IamRequest[] {
  const action = `states:${operation}`;
  if (STATES_EXECUTION_OPERATIONS.has(operation))
    return [{ action, resource: str(body.executionArn) ?? '*' }];
  // SendTaskSuccess/Failure/Heartbeat have no resource type in the Service Authorization Reference
  // (the token is the capability): IAM evaluates them on "*", so a statement scoped to the state
  // machine's ARN does not allow them, on AWS as here.
  if (operation === 'SendTaskSuccess' || operation === 'SendTaskFailure' || operation === 'SendTaskHeartbeat')
    return [{ action, resource: '*' }];
  if (operation === 'CreateStateMachine')
    return [
      { action, resource: `arn:aws:states:${region}:${accountId}:stateMachine:${str(body.name) ?? ''}` },
    ];
  const machine = str(body.stateMachineArn);
  if (machine) return [{ action, resource: machine }];
  return [{ action, resource: '*' }];
}

// --- EventBridge Scheduler ------------------------------------------------------------------------

/**
 * A schedule is `schedule/<group>/<name>`. Creating or updating one also passes its target's role to
 * the service: IAM asks iam:PassRole on that role of the caller (as AWS does), so a caller cannot
 * hand the scheduler a role more powerful than its own policies allow it to pass.
 */
function schedulerRequests(operation: string, body: Body, { region, accountId }: ArnScope): IamRequest[] {
  const action = `scheduler:${operation}`;
  if (operation === 'ListSchedules' || operation === 'ListScheduleGroups') return [{ action, resource: '*' }];
  const group = str(body.GroupName) ?? 'default';
  const schedule = {
    action,
    resource: `arn:aws:scheduler:${region}:${accountId}:schedule/${group}/${str(body.Name) ?? ''}`,
  };
  if (operation !== 'CreateSchedule' && operation !== 'UpdateSchedule') return [schedule];
  const target = (body.Target ?? {}) as Body;
  const role = str(target.RoleArn);
  // IAM sets iam:PassedToService on a PassRole (policies commonly require scheduler.amazonaws.com).
  return role
    ? [
        schedule,
        {
          action: 'iam:PassRole',
          resource: role,
          context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
        },
      ]
    : [schedule];
}
