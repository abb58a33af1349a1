import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type CrashPoint,
  END_OF_INVOCATION,
  type FaultPointMessage,
  type SandboxFaults,
} from '../chaos/fault-points';

export interface LocalFunctionConfig {
  name: string;
  arn: string;
  /** Absolute path of the TypeScript module and the export that is the handler. */
  handlerFile: string;
  exportName: string;
  env: Record<string, string>;
  timeoutSec: number;
  memoryMb: number;
  /** Sandboxes that may run at once (Lambda concurrency). */
  maxConcurrency: number;
}

/** An error a function threw (or its timeout), with Lambda's errorType so Step Functions can match it. */
export class LambdaInvocationError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly functionName: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

/** An injected crash: the sandbox died at a fault point, as a process crash would kill it. */
export class ChaosCrashError extends LambdaInvocationError {
  readonly retryable = true;
  constructor(
    readonly point: CrashPoint,
    readonly faultId: string,
    functionName: string,
  ) {
    super('ChaosCrashError', `injected crash at ${point} (fault ${faultId})`, functionName);
  }
}

interface Sandbox {
  worker: Worker;
  busy: boolean;
}

type LogSink = (functionName: string, line: string) => void;

export interface InvocationSpan {
  startMs: number;
  endMs: number;
}

const MAX_SPANS = 1000;
/**
 * tsx and the resolution of ESM-only packages such as @middy/core: the preload of a sandbox that runs
 * the TypeScript sources themselves (a function given no bundle, as in the runtime's own tests).
 */
const REGISTER_TS = pathToFileURL(join(__dirname, '..', '..', '..', '..', 'scripts', 'register-ts.mjs')).href;

/** What a sandbox loads when the function runs from bundles (sandbox-bundles.ts). */
export interface BundledCode {
  /** The sandbox bootstrap, bundled. */
  worker: string;
  /** The handler module, bundled. */
  handler: string;
}

/**
 * Lambda gives a sandbox's init (module load) its own limit, apart from the function timeout. Here
 * a cold start on a loaded machine can take many seconds, so the limit is generous.
 */
const INIT_TIMEOUT_MS = 120_000;

/**
 * A function on the local Lambda service: a pool of worker-thread sandboxes, created on demand
 * (cold starts), reused while warm, killed on timeout exactly as Lambda kills a timed-out sandbox.
 */
export class LocalFunction {
  private readonly sandboxes: Sandbox[] = [];
  private readonly waiting: Array<() => void> = [];
  private nextId = 1;
  private closed = false;
  /** Invocations running now (holding a sandbox). */
  private inFlight = 0;
  invocations = 0;
  /**
   * When recent invocations ran (from getting a sandbox, cold start included, to the answer), for
   * the end-to-end benchmark's split of a job's time. The last MAX_SPANS only, so it stays small.
   */
  readonly invocationSpans: InvocationSpan[] = [];
  /** How long each sandbox took to load its handler module (its init phase), oldest first. */
  readonly initDurationsMs: number[] = [];
  /** Whether the handler a sandbox loaded was built by libs/lambda's builder (unknown before a load). */
  builtByReelay: boolean | undefined;
  private readonly loadWaiters: Array<() => void> = [];
  private bundled: BundledCode | undefined;

  constructor(
    readonly config: LocalFunctionConfig,
    private readonly onLog: LogSink,
    readonly baseEnv: Record<string, string>,
    /** Fault injection (the embedded cloud's chaos injector); none in a plain run. */
    private readonly faults?: SandboxFaults,
  ) {}

  async invoke(payload: unknown): Promise<unknown> {
    if (this.closed)
      throw new LambdaInvocationError(
        'ServiceException',
        'the local cloud is shutting down',
        this.config.name,
      );
    const sandbox = await this.acquire();
    this.inFlight++;
    this.keepSpare();
    this.invocations++;
    const startMs = Date.now();
    try {
      return await this.run(sandbox, payload);
    } finally {
      this.inFlight--;
      this.invocationSpans.push({ startMs, endMs: Date.now() });
      if (this.invocationSpans.length > MAX_SPANS) this.invocationSpans.shift();
      sandbox.busy = false;
      this.waiting.shift()?.();
    }
  }

  /** Invocations running or waiting for a sandbox now (0: this function is doing nothing). */
  get invocationsInProgress(): number {
    return this.inFlight + this.waiting.length;
  }

  /**
   * Sandboxes started from now on load these bundles instead of the TypeScript sources (the embedded
   * cloud bundles every function before it warms them).
   */
  runFrom(bundled: BundledCode): void {
    this.bundled = bundled;
  }

  /** Starts one sandbox ahead of the first invocation, so the first event does not pay the cold start. */
  warm(): void {
    if (!this.closed && this.sandboxes.length === 0)
      this.sandboxes.push({ worker: this.spawn(), busy: false });
  }

  /** Whether a sandbox of this function is loading or loaded (warm() or an invocation started one). */
  get hasSandbox(): boolean {
    return this.sandboxes.length > 0;
  }

  /**
   * Resolves once a sandbox of this function has finished its init (loaded the handler module, or
   * failed to: the error is then reported by the invocation, as Lambda reports an init error).
   */
  whenWarm(): Promise<void> {
    if (this.initDurationsMs.length > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.loadWaiters.push(resolve));
  }

  /**
   * During a burst (two invocations or more at once, such as a job's scenes fanning out), while
   * every sandbox is busy and the concurrency allows another, one more starts loading now (as
   * provisioned concurrency would have it ready), so the next event of the burst does not queue
   * behind a cold start. One invocation at a time never gets a spare: a sandbox costs about a
   * CPU-second to start, which a lone request (submit, plan, compose) would waste on a loaded
   * machine. At most one idle spare at a time, within maxConcurrency.
   */
  private keepSpare(): void {
    if (this.closed || this.inFlight < 2 || this.sandboxes.some((s) => !s.busy)) return;
    if (this.sandboxes.length < this.config.maxConcurrency)
      this.sandboxes.push({ worker: this.spawn(), busy: false });
  }

  /** Sandboxes alive now, and the V8 heap each uses (where this Node can tell). */
  async sandboxHeaps(): Promise<Array<{ usedHeapBytes?: number }>> {
    return Promise.all(
      this.sandboxes.map(async ({ worker }) => {
        const stats = (worker as Worker & { getHeapStatistics?: () => Promise<{ used_heap_size: number }> })
          .getHeapStatistics;
        if (!stats) return {};
        const heap = await stats.call(worker).catch(() => undefined);
        return heap ? { usedHeapBytes: heap.used_heap_size } : {};
      }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const resolve of this.loadWaiters.splice(0)) resolve();
    // Invocations waiting for a sandbox end now (acquire refuses once closed).
    for (const wake of this.waiting.splice(0)) wake();
    await Promise.all(this.sandboxes.map((s) => s.worker.terminate()));
    this.sandboxes.length = 0;
  }

  private async acquire(): Promise<Sandbox> {
    for (;;) {
      // An invocation that waited for a sandbox while the cloud closed must not start a new one after.
      if (this.closed)
        throw new LambdaInvocationError(
          'ServiceException',
          'the local cloud is shutting down',
          this.config.name,
        );
      const idle = this.sandboxes.find((s) => !s.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (this.sandboxes.length < this.config.maxConcurrency) {
        const sandbox = { worker: this.spawn(), busy: true };
        this.sandboxes.push(sandbox);
        return sandbox;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private spawn(): Worker {
    const bundled = this.bundled;
    const worker = new Worker(bundled?.worker ?? require.resolve('./lambda-worker.ts'), {
      workerData: {
        handlerFile: bundled?.handler ?? this.config.handlerFile,
        exportName: this.config.exportName,
        functionName: this.config.name,
        functionArn: this.config.arn,
        memoryMb: this.config.memoryMb,
        faultPoints: this.faults !== undefined,
        // Beside the bundles, so it goes when they are pruned (lambda-worker.ts says why).
        ...(bundled ? { compileCacheDir: join(dirname(bundled.worker), 'compile-cache') } : {}),
      },
      env: {
        ...this.baseEnv,
        ...this.config.env,
        AWS_LAMBDA_FUNCTION_NAME: this.config.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.config.memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        // As Lambda sets it for on-demand sandboxes: Powertools reports cold starts only when it is.
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      },
      execArgv: bundled ? ['--enable-source-maps'] : ['--import', REGISTER_TS, '--enable-source-maps'],
      stdout: true,
      stderr: true,
    });
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.onLog(this.config.name, line);
    };
    worker.on('message', (message: { kind?: string; initMs?: number; builtByReelay?: boolean }) => {
      if (message.kind !== 'loaded') return;
      if (message.builtByReelay !== undefined) this.builtByReelay = message.builtByReelay;
      this.initDurationsMs.push(message.initMs ?? 0);
      if (this.initDurationsMs.length > MAX_SPANS) this.initDurationsMs.shift();
      for (const resolve of this.loadWaiters.splice(0)) resolve();
    });
    // A sandbox that dies before its init ends must not leave whenWarm() waiting for ever: the next
    // invocation reports what went wrong.
    worker.once('exit', () => {
      for (const resolve of this.loadWaiters.splice(0)) resolve();
    });
    worker.stdout.on('data', forward);
    worker.stderr.on('data', forward);
    worker.unref();
    return worker;
  }

  private run(sandbox: Sandbox, payload: unknown): Promise<unknown> {
    const id = this.nextId++;
    const plan = this.faults?.planInvocation(this.config.name);
    const configuredTimeoutMs = this.config.timeoutSec * 1000;
    const timeoutMs = Math.min(configuredTimeoutMs, plan?.timeoutAfterMs ?? configuredTimeoutMs);
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        sandbox.worker.off('message', onMessage);
        sandbox.worker.off('error', onError);
        sandbox.worker.off('exit', onExit);
      };
      const discard = () => {
        const index = this.sandboxes.indexOf(sandbox);
        if (index >= 0) this.sandboxes.splice(index, 1);
      };
      const timeOut = () => {
        cleanup();
        discard();
        void sandbox.worker.terminate();
        reject(
          new LambdaInvocationError(
            'Sandbox.Timedout',
            `Task timed out after ${this.config.timeoutSec.toFixed(2)} seconds`,
            this.config.name,
          ),
        );
      };
      // The function timeout starts once the sandbox has loaded the handler ('started').
      let timer = setTimeout(timeOut, INIT_TIMEOUT_MS + timeoutMs);
      const onFaultPoint = (message: FaultPointMessage) => {
        const decision = this.faults?.decide(this.config.name, message.point, plan) ?? { action: 'continue' };
        if (decision.action === 'continue') {
          sandbox.worker.postMessage({ kind: 'fault-continue', ask: message.ask });
        } else if (decision.action === 'crash') {
          // The sandbox dies here, unanswered: nothing after the point runs, as in a process crash.
          cleanup();
          discard();
          void sandbox.worker.terminate();
          reject(new ChaosCrashError(message.point, decision.faultId, this.config.name));
        } else if (decision.timeoutAfterMs !== undefined) {
          // A hang: no answer; the (shortened) timeout kills the sandbox.
          clearTimeout(timer);
          timer = setTimeout(timeOut, decision.timeoutAfterMs);
        }
      };
      const onMessage = (
        message:
          | {
              kind?: undefined | 'started';
              id: number;
              ok: boolean;
              result?: unknown;
              error?: { errorType: string; errorMessage: string };
            }
          | FaultPointMessage,
      ) => {
        if (message.id !== id) return;
        if (message.kind === 'fault-point') return onFaultPoint(message);
        if (message.kind === 'started') {
          clearTimeout(timer);
          timer = setTimeout(timeOut, timeoutMs);
          return;
        }
        cleanup();
        const atEnd = plan?.crashes ? this.faults?.decideAtEnd(this.config.name, plan) : undefined;
        if (atEnd?.action === 'crash') {
          // The handler finished, but the sandbox dies before its response reaches the invoker.
          discard();
          void sandbox.worker.terminate();
          reject(new ChaosCrashError(END_OF_INVOCATION, atEnd.faultId, this.config.name));
          return;
        }
        if (message.ok) resolve(message.result);
        else
          reject(
            new LambdaInvocationError(
              message.error?.errorType ?? 'Error',
              message.error?.errorMessage ?? 'unknown error',
              this.config.name,
            ),
          );
      };
      const onError = (error: Error) => {
        cleanup();
        discard();
        reject(
          new LambdaInvocationError(
            'Runtime.ExitError',
            `sandbox crashed: ${error.message}`,
            this.config.name,
          ),
        );
      };
      const onExit = (code: number) => {
        cleanup();
        discard();
        reject(
          new LambdaInvocationError(
            'Runtime.ExitError',
            `sandbox exited with code ${code}`,
            this.config.name,
          ),
        );
      };
      sandbox.worker.on('message', onMessage);
      sandbox.worker.on('error', onError);
      sandbox.worker.on('exit', onExit);
      sandbox.worker.postMessage({
        kind: 'invoke',
        id,
        payload,
        timeoutMs,
        ...(plan ? { faults: { points: plan.points, hangAtStart: plan.hangAtStart ?? false } } : {}),
      });
    });
  }
}
