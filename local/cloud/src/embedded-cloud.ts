import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { findFfmpeg } from '@reelay/media';
import { type LocalModelServer, startLocalModelServer } from '../../models/src';
import { findStaticFfmpeg, packageAllServices, SERVICES, type ServiceName } from '../../packaging/src';
import { type AwsJsonEmulator, startAwsJsonEmulator } from '../aws-json/src';
import { ChaosInjector } from './chaos/chaos-injector';
import {
  deployStack,
  type EventSourceSpec,
  LocalCloudState,
  type LocalFunctionSpec,
  type RoleSpec,
} from './deploy/deploy-stack';
import type { CloudFormationTemplate } from './deploy/template';
import { AccessKeyRegistry, type IssuedCredentials } from './iam/access-keys';
import { startDynamoDbProxy } from './iam/dynamodb-proxy';
import { IamGate } from './iam/iam-gate';
import { jsonGate } from './iam/json-gate';
import { PolicyEngine } from './iam/policy-engine';
import { defaultLocalConcurrency } from './lambda/local-concurrency';
import { LocalFunction } from './lambda/local-function';
import { SqsEventSource } from './lambda/sqs-event-source';
import { startLocalDynamoDb } from './local-dynamodb';
import { LocalHttpApi } from './local-http-api';
import { startLocalS3 } from './local-s3';

export const REPO_ROOT = resolve(__dirname, '../../..');
const REGION = 'us-east-1';
const ACCOUNT_ID = '000000000000';

export interface EmbeddedCloudOptions {
  stage?: string;
  /** Every function log line; by default appended to .reelay/logs/<stage>.log. */
  onLog?: (functionName: string, line: string) => void;
  /** Extra environment for every function (tests use it to tune timings). */
  functionEnv?: Record<string, string>;
  /**
   * Changes a service's packaged template before it is deployed locally (a test removes a statement
   * from a role to see the function fail as it would on AWS).
   */
  transformTemplate?: (service: ServiceName, template: CloudFormationTemplate) => CloudFormationTemplate;
}

export interface EmbeddedCloud {
  stage: string;
  region: string;
  accountId: string;
  endpoints: {
    api: string;
    s3: string;
    dynamodb: string;
    sqs: string;
    events: string;
    stepfunctions: string;
    replicate: string;
  };
  /** Environment that points any AWS SDK client (or the AWS CLI) at the embedded cloud, as the operator. */
  clientEnv: Record<string, string>;
  /** The operator's credentials: full access (every function signs with its own role's instead). */
  credentials: IssuedCredentials;
  /** Signature and IAM enforcement: the issued keys and the roles' policies (local/cloud/README.md). */
  iam: IamGate;
  clients: {
    s3: S3Client;
    dynamodb: DynamoDBClient;
    sqs: SQSClient;
    events: EventBridgeClient;
    sfn: SFNClient;
  };
  names: { bus: string; mediaBucket: string; jobsTable: string };
  emulator: AwsJsonEmulator;
  models: LocalModelServer;
  api: LocalHttpApi;
  functions: Map<string, LocalFunction>;
  eventSources: SqsEventSource[];
  /** The fault injector tests drive (see src/chaos/README.md); idle until a fault is armed. */
  chaos: ChaosInjector;
  /** A dev token for the local HTTP API. */
  token(userId: string): string;
  logFile?: string;
  close(): Promise<void>;
}

/**
 * Starts the embedded cloud: real wire-protocol servers (s3rver, DynamoDB Local, the SQS/EventBridge/
 * Step Functions emulator, the local Replicate-compatible model server, the HTTP API), then deploys
 * the four services' packaged CloudFormation templates onto it, so the same functions run on the
 * same queues, rules, state machines and routes as in AWS.
 */
export async function startEmbeddedCloud(options: EmbeddedCloudOptions = {}): Promise<EmbeddedCloud> {
  const stage = options.stage ?? 'local';
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    let logFile: string | undefined;
    let onLog = options.onLog;
    if (!onLog) {
      const dir = join(REPO_ROOT, '.reelay', 'logs');
      mkdirSync(dir, { recursive: true });
      logFile = join(dir, `${stage}.log`);
      const file = logFile;
      onLog = (fn, line) => appendFileSync(file, `${fn} ${line}\n`);
    }
    const { ffmpeg, ffprobe } = findFfmpeg();
    const shippedFfmpeg = process.env.FFMPEG_PATH ? undefined : findStaticFfmpeg();
    const templatesPromise = packageAllServices({ stage, region: REGION });
    const functions = new Map<string, LocalFunction>();
    const invokeByArn = (arn: string, payload: unknown) => {
      const fn = functions.get(arn.match(/function:([^:/]+)/)?.[1] ?? arn);
      if (!fn) return Promise.reject(new Error(`no local function ${arn}`));
      return fn.invoke(payload);
    };

    // Every request is signed with credentials this cloud issued and allowed by the caller's role.
    const keys = new AccessKeyRegistry(ACCOUNT_ID);
    const iam = new IamGate(keys, new PolicyEngine(ACCOUNT_ID), { region: REGION, accountId: ACCOUNT_ID });
    const [s3, dynamodbLocal, emulator] = await Promise.all([
      startLocalS3({ gate: iam }),
      startLocalDynamoDb(),
      startAwsJsonEmulator({
        region: REGION,
        accountId: ACCOUNT_ID,
        invokeLambda: invokeByArn,
        gate: jsonGate(iam),
      }),
    ]);
    closers.push(
      () => s3.close(),
      () => dynamodbLocal.close(),
      () => emulator.close(),
    );
    const dynamodb = await startDynamoDbProxy(dynamodbLocal.endpoint, iam);
    closers.push(() => dynamodb.close());
    const operator = keys.operator;

    const modelsDir = mkdtempSync(join(tmpdir(), 'reelay-models-'));
    const modelToken = `r8_local_${randomBytes(12).toString('hex')}`;
    const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
    const models = await startLocalModelServer({
      apiToken: modelToken,
      webhookSigningSecret: webhookSecret,
      workDir: modelsDir,
      ffmpegPath: ffmpeg,
      ffprobePath: ffprobe,
    });
    closers.push(
      () => models.close(),
      async () => rmSync(modelsDir, { recursive: true, force: true }),
    );

    const chaos = new ChaosInjector({ emulator, models, functionNames: () => [...functions.keys()] });
    closers.push(async () => chaos.close());

    const api = new LocalHttpApi(invokeByArn);
    await api.listen();
    closers.push(() => api.close());

    const endpoints = {
      api: api.url,
      s3: s3.endpoint,
      dynamodb: dynamodb.endpoint,
      sqs: emulator.url,
      events: emulator.url,
      stepfunctions: emulator.url,
      replicate: models.url,
    };
    const clientEnv: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: operator.accessKeyId,
      AWS_SECRET_ACCESS_KEY: operator.secretAccessKey,
      AWS_ENDPOINT_URL_S3: endpoints.s3,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.events,
      AWS_ENDPOINT_URL_SFN: endpoints.stepfunctions,
    };
    const clientConfig = { region: REGION, credentials: operator };
    // Every event source long-polls (20 s): with the SDK's default of 50 sockets, the ~80 pollers
    // queue behind each other and a message waits up to 20 s to be seen.
    const pollingAgent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
    const clients = {
      s3: new S3Client({
        ...clientConfig,
        endpoint: endpoints.s3,
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
      dynamodb: new DynamoDBClient({ ...clientConfig, endpoint: endpoints.dynamodb }),
      sqs: new SQSClient({
        ...clientConfig,
        endpoint: endpoints.sqs,
        requestHandler: { httpAgent: pollingAgent },
      }),
      events: new EventBridgeClient({ ...clientConfig, endpoint: endpoints.events }),
      sfn: new SFNClient({ ...clientConfig, endpoint: endpoints.stepfunctions }),
    };

    const realReplicate = process.env.REPLICATE_API_TOKEN;
    const baseEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? tmpdir(),
      TMPDIR: tmpdir(),
      TZ: 'UTC',
      ...clientEnv,
      // The functions run the static ffmpeg/ffprobe/font that ship in their zips when that build is
      // cached for this machine (deploy/static-ffmpeg; npm test builds it), so every test exercises
      // what ships; else Debian's. An explicit FFMPEG_PATH wins. The model server keeps Debian's.
      ...(shippedFfmpeg
        ? {
            FFMPEG_PATH: shippedFfmpeg.ffmpeg,
            FFPROBE_PATH: shippedFfmpeg.ffprobe,
            CAPTION_FONT_FILE: shippedFfmpeg.font,
          }
        : { FFMPEG_PATH: ffmpeg, FFPROBE_PATH: ffprobe }),
      REELAY_LOCAL: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.LOG_LEVEL ?? 'INFO',
      // Locally the token comes from the environment instead of SSM; with a real token, real models.
      ...(realReplicate
        ? {
            REPLICATE_API_TOKEN: realReplicate,
            // A proxy or a recorded twin in front of Replicate, when the user names one.
            ...(process.env.REPLICATE_BASE_URL ? { REPLICATE_BASE_URL: process.env.REPLICATE_BASE_URL } : {}),
          }
        : {
            REPLICATE_API_TOKEN: modelToken,
            REPLICATE_BASE_URL: `${models.url}/v1`,
            // The twin serves Replicate's model ids: costs are what Replicate would charge, an estimate.
            MODEL_PROVIDER: 'local',
            REPLICATE_WEBHOOK_SECRET: webhookSecret,
            MODEL_OUTPUT_ALLOWED_ORIGINS: models.url,
            // The template's WEBHOOK_BASE_URL names the cloud API; locally webhooks come here.
            LOCAL_WEBHOOK_BASE_URL: api.url,
          }),
      ...(options.functionEnv ?? {}),
    };

    const state = new LocalCloudState();
    const functionCredentials = new Map<string, IssuedCredentials>();
    const eventSources: SqsEventSource[] = [];
    const pendingSources: EventSourceSpec[] = [];
    const targets = {
      addFunction: (spec: LocalFunctionSpec) => {
        // The function's sandboxes sign with its role's credentials, as Lambda hands them out. A
        // function with no role the template defines gets one with no policies: everything is denied.
        const credentials = keys.issueForFunction(
          spec.name,
          spec.roleArn ?? `arn:aws:iam::${ACCOUNT_ID}:role/${spec.name}-no-role`,
        );
        functionCredentials.set(spec.name, credentials);
        const fn = new LocalFunction(
          {
            ...spec,
            env: {
              ...spec.env,
              AWS_ACCESS_KEY_ID: credentials.accessKeyId,
              AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
              AWS_SESSION_TOKEN: credentials.sessionToken ?? '',
            },
            maxConcurrency: spec.reservedConcurrency ?? defaultLocalConcurrency(),
          },
          onLog ?? (() => undefined),
          baseEnv,
          chaos.sandboxFaults,
        );
        functions.set(spec.name, fn);
      },
      addEventSource: (spec: EventSourceSpec) => pendingSources.push(spec),
      addRoute: (spec: Parameters<LocalHttpApi['addRoute']>[0]) => api.addRoute(spec),
      setCors: (cors: Parameters<LocalHttpApi['setCors']>[0]) => api.setCors(cors),
      addRole: (role: RoleSpec) => iam.engine.setRolePolicies(role.arn, role.policies),
    };
    closers.push(async () => {
      await Promise.all(eventSources.map((s) => s.stop()));
      await Promise.all([...functions.values()].map((f) => f.close()));
    });

    const packaged = await templatesPromise;
    for (const service of SERVICES) {
      await deployStack(
        {
          stackName: `reelay-${service}-${stage}`,
          template: (options.transformTemplate ?? ((_, t) => t))(
            service,
            packaged[service].template as CloudFormationTemplate,
          ),
          serviceDir: join(REPO_ROOT, 'services', service),
        },
        { region: REGION, accountId: ACCOUNT_ID, ...clients },
        targets,
        state,
      );
    }
    for (const fn of functions.values()) fn.warm();
    for (const spec of pendingSources) {
      if (!spec.enabled) continue;
      const fn = functions.get(spec.functionName);
      const queueUrl = state.queueUrlByArn.get(spec.queueArn);
      if (!fn || !queueUrl)
        throw new Error(`event source ${spec.queueArn} -> ${spec.functionName} cannot be wired`);
      // Lambda polls a queue with the function's own role (sqs:ReceiveMessage, DeleteMessage, ...).
      const pollerCredentials = functionCredentials.get(spec.functionName);
      const source = new SqsEventSource(
        pollerCredentials
          ? new SQSClient({
              region: REGION,
              endpoint: endpoints.sqs,
              credentials: pollerCredentials,
              requestHandler: { httpAgent: pollingAgent },
            })
          : clients.sqs,
        {
          queueArn: spec.queueArn,
          queueUrl,
          batchSize: spec.batchSize,
          reportBatchItemFailures: spec.reportBatchItemFailures,
          concurrency: spec.maximumConcurrency ?? 2,
          region: REGION,
        },
        fn,
        (error) => onLog?.(spec.functionName, `event source error: ${(error as Error).message}`),
      );
      source.start();
      eventSources.push(source);
    }

    return {
      stage,
      region: REGION,
      accountId: ACCOUNT_ID,
      endpoints,
      clientEnv,
      credentials: operator,
      iam,
      clients,
      names: {
        bus: `reelay-${stage}`,
        mediaBucket: `reelay-media-${stage}-${ACCOUNT_ID}`,
        jobsTable: `reelay-jobs-${stage}`,
      },
      emulator,
      models,
      api,
      functions,
      eventSources,
      chaos,
      token: (userId) => {
        if (!api.issuer) throw new Error('the local HTTP API is not listening');
        return api.issuer.token(userId);
      },
      logFile,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export type { ServiceName };
