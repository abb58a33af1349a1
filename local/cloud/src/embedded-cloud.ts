import { join, resolve } from 'node:path';
import { findFfmpeg } from '@reelay/media';
import type { LocalModelServer } from '../../models/src';
import {
  findStaticFfmpeg,
  type PackagedService,
  packageAllServices,
  SERVICES,
  type ServiceName,
} from '../../packaging/src';
import type { LocalYouTube } from '../../youtube/src';
import type { AwsJsonEmulator } from '../aws-json/src';
import { ChaosInjector } from './chaos/chaos-injector';
import { type DataFolder, openDataFolder, throwawayDataFolder } from './data-folder';
import { type DeployClients, deployStack, LocalCloudState } from './deploy/deploy-stack';
import { handlerFile } from './deploy/resources/lambda';
import type { CloudFormationTemplate } from './deploy/template';
import { type AwsServers, startAwsServers } from './embedded/aws-servers';
import { Closers, startTogether } from './embedded/closers';
import { functionBaseEnv, modelSecretsFor } from './embedded/function-env';
import { functionLog } from './embedded/function-log';
import { FunctionRuntime, invokerByArn } from './embedded/function-runtime';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './embedded/local-account';
import { modelSecretNames, storeModelSecrets } from './embedded/model-secrets';
import { type ModelTwin, startModelTwin } from './embedded/model-twin';
import {
  type CloudClients,
  type CloudEndpoints,
  clientEnvironment,
  operatorClients,
  pollingAgent,
} from './embedded/operator-access';
import { createPublishBuckets, publishBucketNames } from './embedded/publish-buckets';
import { StartupTimings } from './embedded/startup-timings';
import { functionsToWarm, recordFunctionsUsed, type WarmFunctions } from './embedded/warm-set';
import { startYouTubeTwin, youtubeEnv } from './embedded/youtube-twin';
import { AccessKeyRegistry, type IssuedCredentials } from './iam/access-keys';
import { IamGate } from './iam/iam-gate';
import { PolicyEngine } from './iam/policy-engine';
import type { LocalFunction } from './lambda/local-function';
import { bundleSandboxes } from './lambda/sandbox-bundles';
import type { SqsEventSource } from './lambda/sqs-event-source';
import { whenAllWarm } from './lambda/warm-up';
import { LocalHttpApi } from './local-http-api';

export const REPO_ROOT = resolve(__dirname, '../../..');

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
  /**
   * The data folder (local/cloud/README.md): S3 objects, DynamoDB tables, queues, archive, schedules,
   * executions and the model twin's predictions, kept across restarts. Without it, a throwaway
   * `.reelay/test-cloud-*` folder removed on close.
   */
  dataDir?: string;
  /** Empties the data folder first (`npm run up -- --fresh`). */
  fresh?: boolean;
  /** Told each start-up phase as it begins ("deploying 4 services"), for a CLI to show progress. */
  onPhase?: (phase: string) => void;
  /**
   * Which functions load a sandbox at start-up, as soon as they are deployed (one per core at a
   * time), instead of at their first invocation as Lambda cold-starts them (embedded/warm-set.ts):
   * 'on-demand' (the default: a test suite loads only the functions it uses), 'all' (`npm run up`),
   * or 'used-last-run' on the data folder (`npm start`, which waits for them with `whenWarm()` so the
   * job does not share the cores with the loads).
   */
  warmFunctions?: WarmFunctions;
}

export interface EmbeddedCloud {
  stage: string;
  region: string;
  accountId: string;
  endpoints: CloudEndpoints;
  /** Environment that points any AWS SDK client (or the AWS CLI) at the embedded cloud, as the operator. */
  clientEnv: Record<string, string>;
  /** The operator's credentials: full access (every function signs with its own role's instead). */
  credentials: IssuedCredentials;
  /** Signature and IAM enforcement: the issued keys and the roles' policies (local/cloud/README.md). */
  iam: IamGate;
  clients: CloudClients;
  names: { bus: string; mediaBucket: string; jobsTable: string };
  emulator: AwsJsonEmulator;
  models: LocalModelServer;
  /** The YouTube Data API twin the publisher uploads to (local/youtube: test hooks, uploaded videos). */
  youtube: LocalYouTube;
  api: LocalHttpApi;
  functions: Map<string, LocalFunction>;
  eventSources: SqsEventSource[];
  /** The fault injector tests drive (see src/chaos/README.md); idle until a fault is armed. */
  chaos: ChaosInjector;
  /** A dev token for the local HTTP API. */
  token(userId: string): string;
  logFile?: string;
  /** Where the cloud keeps what it stores (removed on close when it was a throwaway one). */
  dataDir: string;
  /** How long each start-up step took (embedded/startup-timings.ts); the warm-up's step ends later. */
  startup: StartupTimings;
  /** Resolves once the functions `warmFunctions` chose have a sandbox with its handler loaded. */
  whenWarm(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the embedded cloud: real wire-protocol servers (s3rver, DynamoDB Local, the SQS/EventBridge/
 * Step Functions emulator, the local Replicate-compatible model server, the HTTP API), then deploys
 * the four services' packaged CloudFormation templates onto it, so the same functions run on the
 * same queues, rules, state machines and routes as in AWS. The steps are in embedded/.
 */
export async function startEmbeddedCloud(options: EmbeddedCloudOptions = {}): Promise<EmbeddedCloud> {
  const stage = options.stage ?? 'local';
  const closers = new Closers();
  const timings = new StartupTimings();
  try {
    // First taken, last given up: one cloud per data folder (a live owner stops this start here).
    const data = options.dataDir
      ? openDataFolder(options.dataDir, { fresh: options.fresh ?? false })
      : throwawayDataFolder('cloud');
    closers.add(async () => data.release());
    const { onLog, logFile } = functionLog(REPO_ROOT, stage, options.onLog);
    const debianFfmpeg = findFfmpeg();
    // Packaging (cached in .reelay/package) and then bundling the handlers it names (cached in
    // .reelay/bundles) run while the servers start: neither needs them. Their failures surface
    // where they are awaited; until then they must not count as unhandled.
    const templates = timings.time('packaging the services (cached)', () =>
      packageAllServices({ stage, region: LOCAL_REGION }),
    );
    const bundles = templates.then((packaged) =>
      timings.time('bundling the handlers (cached)', () => bundleSandboxes(templateHandlerFiles(packaged))),
    );
    bundles.catch(() => undefined);
    const functions = new Map<string, LocalFunction>();
    options.onPhase?.('starting the AWS emulators');
    const servers = await startServers(debianFfmpeg, functions, closers, data, timings);
    const { keys, iam, emulator, modelTwin, chaos, api, youtube } = servers;
    const endpoints = cloudEndpoints(servers);
    const clientEnv = clientEnvironment(endpoints, keys.operator);
    const agent = pollingAgent();
    const clients = operatorClients(endpoints, keys.operator, agent);
    const baseEnv = functionBaseEnv({
      clientEnv,
      debianFfmpeg,
      shippedFfmpeg: process.env.FFMPEG_PATH ? undefined : findStaticFfmpeg(),
      modelTwin: { ...modelTwin, url: modelTwin.models.url },
      apiUrl: api.url,
      functionEnv: { ...youtubeEnv(youtube), ...options.functionEnv },
      tmpDir: data.tmp,
    });
    const runtime = new FunctionRuntime(functions, { keys, iam, api, chaos, onLog, baseEnv });
    closers.add(() => runtime.close());

    options.onPhase?.('packaging the services');
    const packaged = await templates;
    options.onPhase?.(`deploying ${SERVICES.length} services`);
    const state = await deployServices(packaged, stage, options, clients, runtime, timings);
    // The Replicate token and webhook secret, where the functions read them on AWS (SSM SecureStrings).
    const secretNames = modelSecretNames(Object.values(packaged).map((service) => service.template));
    await storeModelSecrets(clients.ssm, secretNames, modelSecretsFor(modelTwin));
    // The S3 destinations the publisher may write: a user's bucket, there before any job names it.
    await createPublishBuckets(
      clients.s3,
      publishBucketNames(Object.values(packaged).map((p) => p.template)),
    );
    options.onPhase?.(`bundling ${functions.size} functions`);
    await runtime.bundleFunctions(await bundles);
    // Sandboxes load while DynamoDB Local may still be starting (a load that calls it waits in its proxy).
    const warmed = warmAtStart(
      timings,
      functionsToWarm(options.warmFunctions ?? 'on-demand', functions, data),
    );
    closers.add(async () => recordFunctionsUsed(functions, data));
    options.onPhase?.('waiting for DynamoDB Local');
    await timings.time('tables created (DynamoDB Local up)', async () => {
      await servers.dynamodbReady;
      await state.creationsSettled();
    });
    runtime.start(state, { endpoint: endpoints.sqs, agent, operatorClient: clients.sqs });
    // Executions a previous run left RUNNING start over now that their machines and functions exist.
    emulator.resume();
    timings.steps.push({ name: 'start-up (before warm functions)', startMs: 0, endMs: timings.now() });

    return {
      stage,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      endpoints,
      clientEnv,
      credentials: keys.operator,
      iam,
      clients,
      names: {
        bus: `reelay-${stage}`,
        mediaBucket: `reelay-media-${stage}-${LOCAL_ACCOUNT_ID}`,
        jobsTable: `reelay-jobs-${stage}`,
      },
      emulator,
      models: modelTwin.models,
      youtube,
      api,
      functions,
      eventSources: runtime.eventSources,
      chaos,
      token: (userId) => {
        if (!api.issuer) throw new Error('the local HTTP API is not listening');
        return api.issuer.token(userId);
      },
      logFile,
      dataDir: data.root,
      startup: timings,
      whenWarm: () => warmed,
      close: () => closers.closeAll(),
    };
  } catch (error) {
    await closers.closeAll();
    throw error;
  }
}

type Servers = AwsServers & {
  keys: AccessKeyRegistry;
  iam: IamGate;
  modelTwin: ModelTwin;
  youtube: LocalYouTube;
  chaos: ChaosInjector;
  api: LocalHttpApi;
};

/**
 * The servers the functions run against: AWS (through the IAM gate), the Replicate twin, the HTTP API;
 * and the fault injector over them. The emulator and the HTTP API invoke `functions` once deployed.
 */
async function startServers(
  debianFfmpeg: { ffmpeg: string; ffprobe: string },
  functions: ReadonlyMap<string, LocalFunction>,
  closers: Closers,
  data: DataFolder,
  timings: StartupTimings,
): Promise<Servers> {
  const invokeByArn = invokerByArn(functions);
  // Every request is signed with credentials this cloud issued and allowed by the caller's role.
  const keys = new AccessKeyRegistry(LOCAL_ACCOUNT_ID);
  const iam = new IamGate(keys, new PolicyEngine(LOCAL_ACCOUNT_ID), {
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
  });
  const api = new LocalHttpApi(invokeByArn);
  // Independent servers start side by side (DynamoDB Local's JVM is the slowest). Each is added to
  // the closers as soon as it listens, so a failed start still stops the ones already running.
  const [aws, modelTwin, youtube] = await startTogether([
    startAwsServers(iam, invokeByArn, closers, data, timings),
    timings.time('model twin', () => startModelTwin(debianFfmpeg, closers, data.models)),
    timings.time('YouTube twin', () => startYouTubeTwin(closers, data.root)),
    timings.time('HTTP API', async () => {
      await api.listen();
      closers.add(() => api.close());
    }),
  ]);
  const chaos = new ChaosInjector({
    emulator: aws.emulator,
    models: modelTwin.models,
    functionNames: () => [...functions.keys()],
  });
  closers.add(async () => chaos.close());
  return { ...aws, keys, iam, modelTwin, youtube, chaos, api };
}

function cloudEndpoints({ api, s3, dynamodb, emulator, modelTwin, youtube }: Servers): CloudEndpoints {
  return {
    api: api.url,
    s3: s3.endpoint,
    dynamodb: dynamodb.endpoint,
    sqs: emulator.url,
    events: emulator.url,
    stepfunctions: emulator.url,
    scheduler: emulator.schedulerUrl,
    ssm: emulator.url,
    replicate: modelTwin.models.url,
    youtube: youtube.url,
  };
}

/** Deploys the four services' packaged templates in order (later stacks import earlier ones' exports). */
async function deployServices(
  packaged: Awaited<ReturnType<typeof packageAllServices>>,
  stage: string,
  options: EmbeddedCloudOptions,
  clients: CloudClients,
  runtime: FunctionRuntime,
  timings: StartupTimings,
): Promise<LocalCloudState> {
  const state = new LocalCloudState();
  const deployClients: DeployClients = { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID, ...clients };
  const transform = options.transformTemplate ?? ((_, template) => template);
  for (const service of SERVICES) {
    await timings.time(`deploying ${service}`, () =>
      deployStack(
        {
          stackName: `reelay-${service}-${stage}`,
          template: transform(service, packaged[service].template as CloudFormationTemplate),
          serviceDir: join(REPO_ROOT, 'services', service),
        },
        deployClients,
        runtime,
        state,
        // Tables are created while DynamoDB Local starts; the start awaits them before it returns.
        { leaveCreationsRunning: true },
      ),
    );
  }
  return state;
}

/**
 * The handler source of every function the packaged templates define (services/<service>/<module>.ts),
 * known before anything is deployed, so bundling them overlaps the servers' start.
 */
function templateHandlerFiles(packaged: Record<ServiceName, PackagedService>): string[] {
  return SERVICES.flatMap((service) =>
    Object.values((packaged[service].template as CloudFormationTemplate).Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((resource) =>
        handlerFile(join(REPO_ROOT, 'services', service), String(resource.Properties?.Handler)),
      ),
  );
}

/**
 * Loads one sandbox of each function given (one per core at a time, warm-up.ts) and records when the
 * last is ready: the end of start-up for a caller that waits for warm functions.
 */
function warmAtStart(timings: StartupTimings, functions: LocalFunction[]): Promise<void> {
  const startMs = timings.now();
  const warmed = whenAllWarm(functions).then(() => {
    if (functions.length > 0)
      timings.steps.push({ name: `warming ${functions.length} functions`, startMs, endMs: timings.now() });
    if (process.env.REELAY_STARTUP_TIMINGS === '1') printTimings(timings);
  });
  warmed.catch(() => undefined);
  return warmed;
}

function printTimings(timings: StartupTimings): void {
  process.stderr.write(
    `embedded cloud start-up (${(timings.cpuMs() / 1000).toFixed(1)} CPU-s in this process):\n${timings.lines().join('\n')}\n`,
  );
}
