import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  type DeployClients,
  type DeployTargets,
  deployStack,
  LocalCloudState,
  type LocalFunctionSpec,
  type RoleSpec,
  type RouteSpec,
  UnwiredResourceError,
} from '../../src/deploy/deploy-stack';
import type { CloudFormationResource, CloudFormationTemplate } from '../../src/deploy/template';

/**
 * The deployer's own rules, on templates whose resources need no AWS call (functions, HTTP API
 * pieces, roles): the clients point at a closed port, so a call the deployer should not make fails.
 */
const CLOSED = 'http://127.0.0.1:9';
const clientConfig = {
  region: 'us-east-1',
  endpoint: CLOSED,
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
};
const clients: DeployClients = {
  region: 'us-east-1',
  accountId: '000000000000',
  sqs: new SQSClient(clientConfig),
  events: new EventBridgeClient(clientConfig),
  sfn: new SFNClient(clientConfig),
  dynamodb: new DynamoDBClient(clientConfig),
  s3: new S3Client(clientConfig),
};

function recordingTargets() {
  const functions: LocalFunctionSpec[] = [];
  const routes: RouteSpec[] = [];
  const roles: RoleSpec[] = [];
  const targets: DeployTargets = {
    addFunction: (spec) => functions.push(spec),
    addEventSource: () => undefined,
    addRoute: (spec) => routes.push(spec),
    addRole: (spec) => roles.push(spec),
  };
  return { targets, functions, routes, roles };
}

const deploy = (resources: Record<string, CloudFormationResource>, targets: DeployTargets) =>
  deployStack(
    {
      stackName: 'reelay-api-test',
      template: { Resources: resources } as CloudFormationTemplate,
      serviceDir: '/srv/api',
    },
    clients,
    targets,
    new LocalCloudState(),
  );

const role: CloudFormationResource = {
  Type: 'AWS::IAM::Role',
  Properties: {
    RoleName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'exec']] },
    Policies: [
      {
        PolicyName: 'jobs',
        PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }] },
      },
    ],
  },
};
const fn: CloudFormationResource = {
  Type: 'AWS::Lambda::Function',
  Properties: {
    FunctionName: 'reelay-api-test-getJob',
    Handler: 'src/functions/get-job/handler.handler',
    Role: { 'Fn::GetAtt': ['ExecRole', 'Arn'] },
    Environment: { Variables: { TABLE: 'jobs', RETRIES: 3 } },
    Timeout: 10,
  },
};
const httpApi: Record<string, CloudFormationResource> = {
  Authorizer: {
    Type: 'AWS::ApiGatewayV2::Authorizer',
    Properties: { JwtConfiguration: { Issuer: 'https://issuer.test', Audience: ['reelay'] } },
  },
  Integration: {
    Type: 'AWS::ApiGatewayV2::Integration',
    Properties: { IntegrationUri: { 'Fn::GetAtt': ['GetJobFunction', 'Arn'] } },
  },
  Route: {
    Type: 'AWS::ApiGatewayV2::Route',
    Properties: {
      RouteKey: 'GET /jobs/{jobId}',
      Target: { 'Fn::Join': ['/', ['integrations', { Ref: 'Integration' }]] },
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: 'Authorizer' },
    },
  },
};

describe('deployStack', () => {
  it('wires a route to its function with its JWT authorizer, and gives the function its role by ARN', async () => {
    // Prepare
    const { targets, functions, routes, roles } = recordingTargets();

    // Act
    await deploy({ ExecRole: role, GetJobFunction: fn, ...httpApi }, targets);

    // Assess
    expect(functions).toEqual([
      expect.objectContaining({
        name: 'reelay-api-test-getJob',
        handlerFile: '/srv/api/src/functions/get-job/handler.ts',
        exportName: 'handler',
        env: { TABLE: 'jobs', RETRIES: '3' },
        timeoutSec: 10,
        roleArn: 'arn:aws:iam::000000000000:role/reelay-api-test-exec',
      }),
    ]);
    expect(routes).toEqual([
      {
        routeKey: 'GET /jobs/{jobId}',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:reelay-api-test-getJob',
        jwt: { issuer: 'https://issuer.test', audience: ['reelay'] },
      },
    ]);
    expect(roles).toEqual([
      expect.objectContaining({
        name: 'reelay-api-test-exec',
        policies: [expect.objectContaining({ name: 'jobs' })],
      }),
    ]);
  });

  it('refuses a resource type that is neither wired locally nor listed as cloud-only, naming it', async () => {
    const { targets } = recordingTargets();

    const deploying = deploy({ Stream: { Type: 'AWS::Kinesis::Stream', Properties: {} } }, targets);

    await expect(deploying).rejects.toThrow(UnwiredResourceError);
    await expect(deploying).rejects.toThrow('Stream (AWS::Kinesis::Stream)');
  });

  it('refuses a function nothing invokes locally, since it would never run', async () => {
    const { targets } = recordingTargets();

    const deploying = deploy({ ExecRole: role, GetJobFunction: fn }, targets);

    await expect(deploying).rejects.toThrow('functions with no local trigger: reelay-api-test-getJob');
  });

  it('refuses a route whose integration is missing', async () => {
    const { targets } = recordingTargets();
    const route: CloudFormationResource = {
      Type: 'AWS::ApiGatewayV2::Route',
      Properties: { RouteKey: 'GET /jobs/{jobId}', Target: 'integrations/Gone' },
    };

    const deploying = deploy({ ExecRole: role, GetJobFunction: fn, ...httpApi, Route: route }, targets);

    await expect(deploying).rejects.toThrow('route Route (GET /jobs/{jobId}) has no integration');
  });

  it('creates tables in the background when asked, and reports a table it could not create when the creations settle', async () => {
    // Prepare: a table on a DynamoDB that does not answer (the closed port), beside a function.
    const table: CloudFormationResource = {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: 'reelay-jobs-test',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      },
    };
    const resources = { ExecRole: role, GetJobFunction: fn, ...httpApi, JobsTable: table };
    const stack = (state: LocalCloudState, options?: { leaveCreationsRunning?: boolean }) =>
      deployStack(
        { stackName: 'reelay-api-test', template: { Resources: resources }, serviceDir: '/srv/api' },
        clients,
        recordingTargets().targets,
        state,
        options,
      );
    const background = new LocalCloudState();

    // Act
    const deployed = await stack(background, { leaveCreationsRunning: true });
    // Its expectation is attached at once: left bare while the other is awaited, its rejection
    // could come first and count as unhandled (a fast machine failed the suite so).
    const waited = expect(stack(new LocalCloudState())).rejects.toThrow();

    // Assess: the stack deployed without waiting for its table; the table's failure still surfaces.
    expect(deployed.resources.JobsTable).toBe('reelay-jobs-test');
    await expect(background.creationsSettled()).rejects.toThrow();
    await waited;
  }, 60_000);
});
