import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * AWS SDK clients, built once per cold start. The code is the same in the cloud and on the embedded
 * local cloud: only the endpoints differ, given by the standard AWS_ENDPOINT_URL_<SERVICE> variables.
 */
type Env = Record<string, string | undefined>;

/**
 * A hook that sees every client built here. Only local tooling registers one (the embedded cloud's
 * fault injector adds a middleware inside its Lambda sandboxes); production never does. Kept on
 * globalThis so it works whichever copy of this module a handler bundle loaded.
 */
export type AwsClientHook = (client: { middlewareStack: unknown }, clientName: string) => void;
const CLIENT_HOOKS = Symbol.for('reelay.aws-client-hooks');
export function registerAwsClientHook(hook: AwsClientHook): void {
  const store = globalThis as { [CLIENT_HOOKS]?: AwsClientHook[] };
  store[CLIENT_HOOKS] ??= [];
  store[CLIENT_HOOKS].push(hook);
}
function withClientHooks<T extends { middlewareStack: unknown }>(client: T, clientName: string): T {
  for (const hook of (globalThis as { [CLIENT_HOOKS]?: AwsClientHook[] })[CLIENT_HOOKS] ?? [])
    hook(client, clientName);
  return client;
}

const cache = new Map<string, unknown>();
function once<T extends { middlewareStack: unknown }>(name: string, make: () => T): T {
  if (!cache.has(name)) cache.set(name, withClientHooks(make(), name));
  return cache.get(name) as T;
}

function endpoint(env: Env, service: string): { endpoint?: string } {
  const url = env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL;
  return url ? { endpoint: url } : {};
}

export function s3Client(env: Env = process.env): S3Client {
  return once('s3', () => {
    const custom = endpoint(env, 'S3');
    // Local S3 (s3rver) serves buckets by path, not by virtual host, and does not understand the
    // aws-chunked uploads the SDK sends by default for streamed bodies.
    return new S3Client(
      custom.endpoint
        ? {
            ...custom,
            forcePathStyle: true,
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          }
        : {},
    );
  });
}

export function dynamoDocumentClient(env: Env = process.env): DynamoDBDocumentClient {
  return once('dynamodb', () =>
    DynamoDBDocumentClient.from(new DynamoDBClient(endpoint(env, 'DYNAMODB')), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  );
}

export function eventBridgeClient(env: Env = process.env): EventBridgeClient {
  return once('eventbridge', () => new EventBridgeClient(endpoint(env, 'EVENTBRIDGE')));
}

export function sqsClient(env: Env = process.env): SQSClient {
  return once('sqs', () => new SQSClient(endpoint(env, 'SQS')));
}

export function sfnClient(env: Env = process.env): SFNClient {
  return once('sfn', () => new SFNClient(endpoint(env, 'SFN')));
}
