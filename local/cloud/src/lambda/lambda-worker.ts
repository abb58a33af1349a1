/**
 * One Lambda sandbox: a worker thread that loads a function's handler module once (cold start) and
 * runs invocations sent by the parent one at a time. Its process.env is the function's environment.
 */
import { randomUUID } from 'node:crypto';
import { enableCompileCache, flushCompileCache } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { isBuiltByReelay } from '@reelay/lambda/src/handlers/handler-brand';
import type { InvocationFaultPlan } from '../chaos/fault-points';
import { installSandboxFaultPoints, type SandboxFaultPoints } from '../chaos/sandbox-fault-points';

interface WorkerConfig {
  handlerFile: string;
  exportName: string;
  functionName: string;
  functionArn: string;
  memoryMb: number;
  /** The parent injects faults: stop at fault points and ask it (see chaos/). */
  faultPoints?: boolean;
  /** Where V8's compiled code for the bundle and the AWS SDK is kept between sandboxes and runs. */
  compileCacheDir?: string;
}
interface InvokeMessage {
  kind?: 'invoke';
  id: number;
  payload: unknown;
  /** The function's timeout; it runs from when the handler is called, not from the cold start. */
  timeoutMs: number;
  faults?: InvocationFaultPlan;
}

const config = workerData as WorkerConfig;
// Node's compile cache: a sandbox reuses the bytecode an earlier one (this run or an earlier one)
// compiled for the same file, checked against the file's content, instead of compiling a megabyte
// of bundle and the AWS SDK again (about a fifth of a cold start's CPU).
if (config.compileCacheDir) enableCompileCache(config.compileCacheDir);
type Handler = (event: unknown, context: unknown) => Promise<unknown>;
let handler: Promise<Handler> | undefined;
// Installed before the handler module loads: clients and the fetch it captures are built at load.
const faultPoints: SandboxFaultPoints | undefined =
  config.faultPoints && parentPort ? installSandboxFaultPoints(parentPort) : undefined;

/**
 * A bundle is CommonJS and is required, as the Lambda runtime loads a CommonJS handler: import()
 * would first have the ESM loader scan the whole bundle for its export names (about 0.15 CPU-s of
 * every cold start). The TypeScript sources (a function given no bundle) go through import(),
 * which tsx hooks.
 */
function loadModule(file: string): Promise<Record<string, unknown>> {
  if (!file.endsWith('.js')) return import(file);
  return new Promise((resolve) => resolve(require(file)));
}

function loadHandler(): Promise<Handler> {
  handler ??= loadModule(config.handlerFile).then((mod) => {
    const fn =
      mod[config.exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[config.exportName];
    if (typeof fn !== 'function')
      throw new Error(`${config.handlerFile} does not export ${config.exportName}`);
    return fn as Handler;
  });
  return handler;
}

// The init phase starts with the sandbox, as in Lambda, so a warm (pre-started or spare) sandbox has
// its handler loaded before the first event. A load error is kept and reported by the invocation.
const initStarted = performance.now();
loadHandler().then(
  (fn) => {
    // Written now rather than when the sandbox ends: a sandbox killed by a timeout never writes it.
    if (config.compileCacheDir) flushCompileCache();
    parentPort?.postMessage({
      kind: 'loaded',
      ok: true,
      initMs: performance.now() - initStarted,
      // Whether the export came from libs/lambda's one handler builder (a test checks every function's).
      builtByReelay: isBuiltByReelay(fn),
    });
  },
  () => parentPort?.postMessage({ kind: 'loaded', ok: false, initMs: performance.now() - initStarted }),
);

parentPort?.on('message', async (message: InvokeMessage | { kind: string }) => {
  if (message.kind !== undefined && message.kind !== 'invoke') return;
  const invoke = message as InvokeMessage;
  let deadlineEpochMs = Date.now() + invoke.timeoutMs;
  const context = {
    functionName: config.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: config.functionArn,
    memoryLimitInMB: String(config.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${config.functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadlineEpochMs - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const fn = await loadHandler();
    deadlineEpochMs = Date.now() + invoke.timeoutMs;
    parentPort?.postMessage({ kind: 'started', id: invoke.id });
    // A timeout fault: the handler never gets going; the parent kills the sandbox at the deadline.
    if (invoke.faults?.hangAtStart) return;
    faultPoints?.begin(invoke.id, invoke.faults);
    const result = await fn(invoke.payload, context);
    parentPort?.postMessage({ id: invoke.id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    parentPort?.postMessage({
      id: invoke.id,
      ok: false,
      error: { errorType: err.name, errorMessage: err.message, stack: err.stack },
    });
  } finally {
    faultPoints?.end();
  }
});
