import { type AwsJsonEmulator, startAwsJsonEmulator } from '../../aws-json/src';
import type { DataFolder } from '../data-folder';
import { type DynamoDbProxy, startDynamoDbProxy } from '../iam/dynamodb-proxy';
import type { IamGate } from '../iam/iam-gate';
import { jsonGate } from '../iam/json-gate';
import { authorizeScheduleTarget } from '../iam/schedule-target-access';
import { startLocalDynamoDb } from '../local-dynamodb';
import { type LocalS3, startLocalS3 } from '../local-s3';
import { type Closers, startTogether } from './closers';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-account';
import type { StartupTimings } from './startup-timings';

export interface AwsServers {
  s3: LocalS3;
  /** DynamoDB Local behind the IAM gate. */
  dynamodb: DynamoDbProxy;
  /** SQS, EventBridge and Step Functions. */
  emulator: AwsJsonEmulator;
  /** Resolves once DynamoDB Local answers (the proxy holds requests until then); rejects if it cannot start. */
  dynamodbReady: Promise<void>;
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
  timings: Pick<StartupTimings, 'time'>,
): Promise<AwsServers> {
  // Each keeps what it stores in the cloud's data folder (data-folder.ts), so a restart resumes. A
  // throwaway cloud (tests) keeps DynamoDB and the emulator in memory: nothing of it is resumed.
  // DynamoDB Local's JVM is the slowest to start (seconds): its proxy listens at once and holds
  // requests until Java answers, so the deploy and the functions' sandboxes need not wait for it.
  // Its closer is added now, so a start that fails meanwhile still stops Java once it is up.
  const dynamodbLocal = timings.time('DynamoDB Local (Java)', () =>
    startLocalDynamoDb(data.durable ? { dbPath: data.dynamodb } : {}),
  );
  dynamodbLocal.catch(() => undefined); // awaited by dynamodbReady
  closers.add(async () => (await dynamodbLocal.catch(() => undefined))?.close());
  // Each is added to the closers as soon as it listens, so a failed start stops the others.
  const [s3, emulator, dynamodb] = await startTogether([
    timings.time('S3 (s3rver)', async () => {
      const s3 = await startLocalS3({ gate: iam, directory: data.s3 });
      closers.add(() => s3.close());
      return s3;
    }),
    timings.time('SQS, EventBridge, Step Functions, SSM emulator', async () => {
      const emulator = await startAwsJsonEmulator({
        region: LOCAL_REGION,
        accountId: LOCAL_ACCOUNT_ID,
        invokeLambda,
        gate: jsonGate(iam),
        authorizeScheduleTarget: (roleArn, busArn) => authorizeScheduleTarget(iam, roleArn, busArn),
        ...(data.durable ? { stateFile: data.emulatorState } : {}),
      });
      closers.add(() => emulator.close());
      return emulator;
    }),
    startDynamoDbProxy(
      dynamodbLocal.then((local) => local.endpoint),
      iam,
    ).then((proxy) => {
      closers.add(() => proxy.close());
      return proxy;
    }),
  ]);
  return { s3, dynamodb, emulator, dynamodbReady: dynamodbLocal.then(() => undefined) };
}
