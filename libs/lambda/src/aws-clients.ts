import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withClientHooks } from './aws-client-hooks';

export { type AwsClientHook, registerAwsClientHook } from './aws-client-hooks';

/**
 * AWS SDK clients, built once per cold start and captured by the service's tracer (X-Ray shows each
 * SDK call). The code is the same in the cloud and on the embedded local cloud: only the endpoints
 * differ, and the SDK reads them itself from the standard AWS_ENDPOINT_URL_<SERVICE> variables.
 */
type Env = Record<string, string | undefined>;
type AwsClient = { middlewareStack: unknown };

/** What captures a client for X-Ray: Powertools' tracer.captureAWSv3Client. */
export interface ClientTracer {
  captureAWSv3Client<T>(client: T): T;
}
let clientTracer: ClientTracer | undefined;
const cache = new Map<string, AwsClient>();

/**
 * Every client built here, before or after this call, is captured by `tracer` (a no-op where tracing
 * is off, as on the embedded cloud). createPowertools calls it: a service's clients are traced by its
 * tracer whichever module built them first.
 */
export function traceAwsClients(tracer: ClientTracer): void {
  if (clientTracer === tracer) return;
  clientTracer = tracer;
  for (const client of cache.values()) tracer.captureAWSv3Client(client);
}

function once<T extends AwsClient>(name: string, make: () => T): T {
  let client = cache.get(name) as T | undefined;
  if (!client) {
    client = withClientHooks(make(), name);
    clientTracer?.captureAWSv3Client(client);
    cache.set(name, client);
  }
  return client;
}

/**
 * Whether S3 is reached at an endpoint of our own (the embedded cloud's S3), read from the variables
 * the SDK itself uses. Such an endpoint serves buckets by path, not by virtual host, and does not
 * understand the aws-chunked uploads with trailing checksums the SDK sends by default.
 */
function s3EndpointIsLocal(env: Env): boolean {
  return Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL);
}

export function s3Client(env: Env = process.env): S3Client {
  return once(
    's3',
    () =>
      new S3Client(
        s3EndpointIsLocal(env)
          ? {
              forcePathStyle: true,
              requestChecksumCalculation: 'WHEN_REQUIRED',
              responseChecksumValidation: 'WHEN_REQUIRED',
            }
          : {},
      ),
  );
}

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  return once('dynamodb', () =>
    DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  );
}

export function eventBridgeClient(): EventBridgeClient {
  return once('eventbridge', () => new EventBridgeClient({}));
}

export function sqsClient(): SQSClient {
  return once('sqs', () => new SQSClient({}));
}

export function sfnClient(): SFNClient {
  return once('sfn', () => new SFNClient({}));
}

export function ssmClient(): SSMClient {
  return once('ssm', () => new SSMClient({}));
}
