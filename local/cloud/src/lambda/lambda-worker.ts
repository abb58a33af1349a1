/**
 * One Lambda sandbox: a worker thread that loads a function's handler module once (cold start) and
 * runs invocations sent by the parent one at a time. Its process.env is the function's environment.
 */
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

interface WorkerConfig {
  handlerFile: string;
  exportName: string;
  functionName: string;
  functionArn: string;
  memoryMb: number;
}
interface InvokeMessage {
  id: number;
  payload: unknown;
  deadlineEpochMs: number;
}

const config = workerData as WorkerConfig;
type Handler = (event: unknown, context: unknown) => Promise<unknown>;
let handler: Promise<Handler> | undefined;

function loadHandler(): Promise<Handler> {
  handler ??= import(config.handlerFile).then((mod: Record<string, unknown>) => {
    const fn =
      mod[config.exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[config.exportName];
    if (typeof fn !== 'function')
      throw new Error(`${config.handlerFile} does not export ${config.exportName}`);
    return fn as Handler;
  });
  return handler;
}

parentPort?.on('message', async (message: InvokeMessage) => {
  const context = {
    functionName: config.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: config.functionArn,
    memoryLimitInMB: String(config.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${config.functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineEpochMs - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const fn = await loadHandler();
    const result = await fn(message.payload, context);
    parentPort?.postMessage({ id: message.id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    parentPort?.postMessage({
      id: message.id,
      ok: false,
      error: { errorType: err.name, errorMessage: err.message, stack: err.stack },
    });
  }
});
