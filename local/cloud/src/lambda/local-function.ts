import { Worker } from 'node:worker_threads';

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

interface Sandbox {
  worker: Worker;
  busy: boolean;
}

type LogSink = (functionName: string, line: string) => void;

/**
 * A function on the local Lambda service: a pool of worker-thread sandboxes, created on demand
 * (cold starts), reused while warm, killed on timeout exactly as Lambda kills a timed-out sandbox.
 */
export class LocalFunction {
  private readonly sandboxes: Sandbox[] = [];
  private readonly waiting: Array<() => void> = [];
  private nextId = 1;
  private closed = false;
  invocations = 0;

  constructor(
    readonly config: LocalFunctionConfig,
    private readonly onLog: LogSink,
    private readonly baseEnv: Record<string, string>,
  ) {}

  async invoke(payload: unknown): Promise<unknown> {
    if (this.closed)
      throw new LambdaInvocationError(
        'ServiceException',
        'the local cloud is shutting down',
        this.config.name,
      );
    const sandbox = await this.acquire();
    this.invocations++;
    try {
      return await this.run(sandbox, payload);
    } finally {
      sandbox.busy = false;
      this.waiting.shift()?.();
    }
  }

  /** Starts one sandbox ahead of the first invocation, so the first event does not pay the cold start. */
  warm(): void {
    if (this.sandboxes.length === 0) this.sandboxes.push({ worker: this.spawn(), busy: false });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.sandboxes.map((s) => s.worker.terminate()));
    this.sandboxes.length = 0;
  }

  private async acquire(): Promise<Sandbox> {
    for (;;) {
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
    const worker = new Worker(require.resolve('./lambda-worker.ts'), {
      workerData: {
        handlerFile: this.config.handlerFile,
        exportName: this.config.exportName,
        functionName: this.config.name,
        functionArn: this.config.arn,
        memoryMb: this.config.memoryMb,
      },
      env: {
        ...this.baseEnv,
        ...this.config.env,
        AWS_LAMBDA_FUNCTION_NAME: this.config.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.config.memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      },
      execArgv: ['--import', 'tsx', '--enable-source-maps'],
      stdout: true,
      stderr: true,
    });
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.onLog(this.config.name, line);
    };
    worker.stdout.on('data', forward);
    worker.stderr.on('data', forward);
    worker.unref();
    return worker;
  }

  private run(sandbox: Sandbox, payload: unknown): Promise<unknown> {
    const id = this.nextId++;
    const timeoutMs = this.config.timeoutSec * 1000;
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
      const timer = setTimeout(() => {
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
      }, timeoutMs);
      const onMessage = (message: {
        id: number;
        ok: boolean;
        result?: unknown;
        error?: { errorType: string; errorMessage: string };
      }) => {
        if (message.id !== id) return;
        cleanup();
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
      sandbox.worker.postMessage({ id, payload, deadlineEpochMs: Date.now() + timeoutMs });
    });
  }
}
