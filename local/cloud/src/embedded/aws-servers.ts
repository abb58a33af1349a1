import { type AwsJsonEmulator, startAwsJsonEmulator } from '../../aws-json/src';
import type { DataFolder } from '../data-folder';
import { type DynamoDbProxy, startDynamoDbProxy } from '../iam/dynamodb-proxy';
import type { IamGate } from '../iam/iam-gate';
import { jsonGate } from '../iam/json-gate';
import { authorizeScheduleTarget } from '../iam/schedule-target-access';
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
  data: Pick<DataFolder, 's3' | 'dynamodb' | 'emulatorState'> & { durable: boolean },
): Promise<AwsServers> {
  // Each keeps what it stores in the cloud's data folder (data-folder.ts), so a restart resumes. A
  // throwaway cloud (tests) keeps DynamoDB and the emulator in memory: nothing of it is resumed.
  const [s3, dynamodbLocal, emulator] = await Promise.all([
    startLocalS3({ gate: iam, directory: data.s3 }),
    startLocalDynamoDb(data.durable ? { dbPath: data.dynamodb } : {}),
    startAwsJsonEmulator({
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      invokeLambda,
      gate: jsonGate(iam),
      authorizeScheduleTarget: (roleArn, busArn) => authorizeScheduleTarget(iam, roleArn, busArn),
      ...(data.durable ? { stateFile: data.emulatorState } : {}),
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
