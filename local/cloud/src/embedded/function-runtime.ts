import type { Agent } from 'node:http';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ChaosInjector } from '../chaos/chaos-injector';
import type {
  CorsSpec,
  DeployTargets,
  EventSourceSpec,
  LocalCloudState,
  LocalFunctionSpec,
  RoleSpec,
  RouteSpec,
} from '../deploy/deploy-stack';
import type { AccessKeyRegistry, IssuedCredentials } from '../iam/access-keys';
import type { IamGate } from '../iam/iam-gate';
import { defaultLocalConcurrency } from '../lambda/local-concurrency';
import { LocalFunction } from '../lambda/local-function';
import { bundleSandboxes, type SandboxBundles } from '../lambda/sandbox-bundles';
import { SqsEventSource } from '../lambda/sqs-event-source';
import type { LocalHttpApi } from '../local-http-api';
import type { FunctionLogSink } from './function-log';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-account';

/** Calls a deployed function by its ARN (or name), as the emulator and the HTTP API do. */
export function invokerByArn(
  functions: ReadonlyMap<string, LocalFunction>,
): (arn: string, payload: unknown) => Promise<unknown> {
  return (arn, payload) => {
    const fn = functions.get(arn.match(/function:([^:/]+)/)?.[1] ?? arn);
    if (!fn) return Promise.reject(new Error(`no local function ${arn}`));
    return fn.invoke(payload);
  };
}

export interface FunctionRuntimeDeps {
  keys: AccessKeyRegistry;
  iam: IamGate;
  api: LocalHttpApi;
  chaos: ChaosInjector;
  onLog: FunctionLogSink;
  baseEnv: Record<string, string>;
}

/**
 * What the deployer hands functions, routes, roles and event sources to: each function runs in its
 * own sandboxes with its role's credentials; the event sources start once every stack is deployed.
 */
export class FunctionRuntime implements DeployTargets {
  readonly eventSources: SqsEventSource[] = [];
  private readonly pendingSources: EventSourceSpec[] = [];
  private readonly credentials = new Map<string, IssuedCredentials>();

  constructor(
    /** By name; shared with the invoker the emulator and HTTP API were started with. */
    readonly functions: Map<string, LocalFunction>,
    private readonly deps: FunctionRuntimeDeps,
  ) {}

  addFunction(spec: LocalFunctionSpec): void {
    // The function's sandboxes sign with its role's credentials, as Lambda hands them out. A
    // function with no role the template defines gets one with no policies: everything is denied.
    const credentials = this.deps.keys.issueForFunction(
      spec.name,
      spec.roleArn ?? `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${spec.name}-no-role`,
    );
    this.credentials.set(spec.name, credentials);
    const env = {
      ...spec.env,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken ?? '',
    };
    const maxConcurrency = spec.reservedConcurrency ?? defaultLocalConcurrency();
    const { onLog, baseEnv, chaos } = this.deps;
    this.functions.set(
      spec.name,
      new LocalFunction({ ...spec, env, maxConcurrency }, onLog, baseEnv, chaos.sandboxFaults),
    );
  }

  addEventSource(spec: EventSourceSpec): void {
    this.pendingSources.push(spec);
  }

  addRoute(spec: RouteSpec): void {
    this.deps.api.addRoute(spec);
  }

  setCors(cors: CorsSpec): void {
    this.deps.api.setCors(cors);
  }

  addRole(role: RoleSpec): void {
    this.deps.iam.engine.setRolePolicies(role.arn, role.policies);
    this.deps.iam.engine.setRoleTrust(role.arn, role.trust);
  }

  /**
   * Has every function's sandboxes load its bundled handler from now on (sandbox-bundles.ts, reused
   * while the sources are unchanged). `early` are the bundles of the handlers the templates named,
   * built while the servers started; a function whose handler they lack (a transformed template)
   * has the set bundled again.
   */
  async bundleFunctions(early?: SandboxBundles): Promise<void> {
    const functions = [...this.functions.values()];
    const handlerFiles = functions.map((fn) => fn.config.handlerFile);
    const bundles =
      early && handlerFiles.every((file) => early.handlers.has(file))
        ? early
        : await bundleSandboxes(handlerFiles);
    for (const fn of functions) {
      const handler = bundles.handlers.get(fn.config.handlerFile);
      if (handler) fn.runFrom({ worker: bundles.worker, handler });
    }
  }

  /** Starts polling each enabled event source's queue. */
  start(state: LocalCloudState, sqs: { endpoint: string; agent: Agent; operatorClient: SQSClient }): void {
    for (const spec of this.pendingSources) {
      if (!spec.enabled) continue;
      const source = this.eventSource(spec, state, sqs);
      source.start();
      this.eventSources.push(source);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.eventSources.map((s) => s.stop()));
    await Promise.all([...this.functions.values()].map((f) => f.close()));
  }

  private eventSource(
    spec: EventSourceSpec,
    state: LocalCloudState,
    sqs: { endpoint: string; agent: Agent; operatorClient: SQSClient },
  ): SqsEventSource {
    const fn = this.functions.get(spec.functionName);
    const queueUrl = state.queueUrlByArn.get(spec.queueArn);
    if (!fn || !queueUrl)
      throw new Error(`event source ${spec.queueArn} -> ${spec.functionName} cannot be wired`);
    // Lambda polls a queue with the function's own role (sqs:ReceiveMessage, DeleteMessage, ...).
    const pollerCredentials = this.credentials.get(spec.functionName);
    const poller = pollerCredentials
      ? new SQSClient({
          region: LOCAL_REGION,
          endpoint: sqs.endpoint,
          credentials: pollerCredentials,
          requestHandler: { httpAgent: sqs.agent },
        })
      : sqs.operatorClient;
    return new SqsEventSource(
      poller,
      {
        queueArn: spec.queueArn,
        queueUrl,
        batchSize: spec.batchSize,
        reportBatchItemFailures: spec.reportBatchItemFailures,
        concurrency: spec.maximumConcurrency ?? 2,
        region: LOCAL_REGION,
      },
      fn,
      (error) => this.deps.onLog(spec.functionName, `event source error: ${(error as Error).message}`),
    );
  }
}
