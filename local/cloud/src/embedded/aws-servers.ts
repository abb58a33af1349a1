import { type AwsJsonEmulator, startAwsJsonEmulator } from '../../aws-json/src';
import { type DynamoDbProxy, startDynamoDbProxy } from '../iam/dynamodb-proxy';
import type { IamGate } from '../iam/iam-gate';
import { jsonGate } from '../iam/json-gate';
import { startLocalDynamoDb } from '../local-dynamodb';
import { type LocalS3, startLocalS3 } from '../local-s3';
import type { Closers } from './closers';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-account';

export interface AwsServers {
  s3: LocalS3;
  /** DynamoDB Local behind the IAM gate. */
  dynamodb: DynamoDbProxy;
  /** SQS, EventBridge and Step Functions. */
  emulator: AwsJsonEmulator;
}

/**
 * Starts the AWS wire-protocol servers, storage (S3, DynamoDB) and messaging (SQS, EventBridge, Step
 * Functions), each checking signatures and policies through the IAM gate; a target the emulator
 * invokes (a schedule, a state machine task) is run by `invokeLambda`.
 */
export async function startAwsServers(
  iam: IamGate,
  invokeLambda: (arn: string, payload: unknown) => Promise<unknown>,
  closers: Closers,
): Promise<AwsServers> {
  const [s3, dynamodbLocal, emulator] = await Promise.all([
    startLocalS3({ gate: iam }),
    startLocalDynamoDb(),
    startAwsJsonEmulator({
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      invokeLambda,
      gate: jsonGate(iam),
    }),
  ]);
  closers.add(
    () => s3.close(),
    () => dynamodbLocal.close(),
    () => emulator.close(),
  );
  const dynamodb = await startDynamoDbProxy(dynamodbLocal.endpoint, iam);
  closers.add(() => dynamodb.close());
  return { s3, dynamodb, emulator };
}
