import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { IssuedCredentials } from '../iam/access-keys';
import { LOCAL_REGION } from './local-account';

export interface CloudEndpoints {
  api: string;
  s3: string;
  dynamodb: string;
  sqs: string;
  events: string;
  stepfunctions: string;
  /** EventBridge Scheduler (REST-JSON on its own port). */
  scheduler: string;
  /** SSM Parameter Store (on the JSON emulator's endpoint). */
  ssm: string;
  replicate: string;
  /** The YouTube Data API twin (its token endpoint is `${youtube}/token`). */
  youtube: string;
}

export interface CloudClients {
  s3: S3Client;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  events: EventBridgeClient;
  sfn: SFNClient;
  scheduler: SchedulerClient;
  ssm: SSMClient;
}

/**
 * Every event source long-polls (20 s): with the SDK's default of 50 sockets, the ~80 pollers
 * queue behind each other and a message waits up to 20 s to be seen.
 */
export const pollingAgent = (): Agent => new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

/** Environment that points any AWS SDK client (or the AWS CLI) at the embedded cloud with these credentials. */
export function clientEnvironment(
  endpoints: CloudEndpoints,
  operator: IssuedCredentials,
): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: operator.accessKeyId,
    AWS_SECRET_ACCESS_KEY: operator.secretAccessKey,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.events,
    AWS_ENDPOINT_URL_SFN: endpoints.stepfunctions,
    AWS_ENDPOINT_URL_SCHEDULER: endpoints.scheduler,
    AWS_ENDPOINT_URL_SSM: endpoints.ssm,
  };
}

/** The operator's SDK clients (full access), as tests, the CLI and the deployer use them. */
export function operatorClients(
  endpoints: CloudEndpoints,
  operator: IssuedCredentials,
  sqsAgent: Agent,
): CloudClients {
  const clientConfig = { region: LOCAL_REGION, credentials: operator };
  return {
    s3: new S3Client({
      ...clientConfig,
      endpoint: endpoints.s3,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    dynamodb: new DynamoDBClient({ ...clientConfig, endpoint: endpoints.dynamodb }),
    sqs: new SQSClient({ ...clientConfig, endpoint: endpoints.sqs, requestHandler: { httpAgent: sqsAgent } }),
    events: new EventBridgeClient({ ...clientConfig, endpoint: endpoints.events }),
    sfn: new SFNClient({ ...clientConfig, endpoint: endpoints.stepfunctions }),
    scheduler: new SchedulerClient({ ...clientConfig, endpoint: endpoints.scheduler }),
    ssm: new SSMClient({ ...clientConfig, endpoint: endpoints.ssm }),
  };
}
