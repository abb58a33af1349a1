import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LocalFunctionConfig } from '../lambda/local-function';
import type { CloudFormationTemplate } from './template';

/** What the local deployer hands the runtime: the functions, triggers, routes and roles of a stack. */
export interface LocalFunctionSpec extends Omit<LocalFunctionConfig, 'maxConcurrency'> {
  logicalId: string;
  /** The template's reserved concurrency; the runtime turns it into the sandbox limit. */
  reservedConcurrency?: number;
  /** The execution role (arn:aws:iam::<account>:role/<name>) whose policies the function's calls get. */
  roleArn?: string;
}

/** An IAM role of the template, with its identity policies resolved for the local account and names. */
export interface RoleSpec {
  arn: string;
  name: string;
  policies: Array<{ name: string; policy: { Version?: string; Statement: unknown } }>;
  /** The role's trust policy (AssumeRolePolicyDocument): which services may assume it. */
  trust?: { Version?: string; Statement: unknown };
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

/** Shared across stacks: exports, queue URLs by ARN, and creations still running. */
export class LocalCloudState {
  readonly exports = new Map<string, string>();
  readonly queueUrlByArn = new Map<string, string>();
  private readonly inProgress: Promise<unknown>[] = [];

  /**
   * A creation that nothing else in the deploy waits on (a DynamoDB table: the deploy only needs its
   * name and ARN, which it knows without asking), left running while the rest deploys, as
   * CloudFormation creates independent resources side by side.
   */
  createInBackground(creation: Promise<unknown>): void {
    creation.catch(() => undefined); // reported by creationsSettled(), not as an unhandled rejection
    this.inProgress.push(creation);
  }

  /** Resolves once every background creation has; rejects with the first that failed. */
  async creationsSettled(): Promise<void> {
    const settled = await Promise.allSettled(this.inProgress.splice(0));
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
