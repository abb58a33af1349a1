import { TaskFailedError } from './sfn-errors';
import { NO_TASK_TIMEOUT_SEC } from './task-timeouts';
import type { TaskTokens, TaskWaitLimits } from './task-tokens';

/** Task resources ending in this wait for SendTaskSuccess/SendTaskFailure on their task token. */
export const CALLBACK_SUFFIX = '.waitForTaskToken';

/**
 * The key the emulator adds to a callback task's Parameters to see the state's input: AWS resolves
 * TimeoutSecondsPath and HeartbeatSecondsPath against the state input, while aws-local-stepfunctions
 * resolves them against the task's effective parameters (which do not have those fields). The
 * handler takes the key out again before anything is invoked.
 */
const STATE_INPUT_KEY = '__emulatorStateInput';

export interface CallbackLimits {
  timeoutSeconds?: number;
  timeoutSecondsPath?: string;
  heartbeatSeconds?: number;
  heartbeatSecondsPath?: string;
}

/**
 * The definition aws-local-stepfunctions runs: every callback task's timeouts are taken out (the
 * emulator enforces them itself, on the token, so a late SendTaskSuccess is refused with
 * TaskTimedOut) and its Parameters see the state input. Returns the limits by state name.
 */
export function prepareCallbackTasks<T>(definition: T): {
  definition: T;
  limits: Map<string, CallbackLimits>;
} {
  // A JSON copy, not structuredClone: under Jest that builds objects of another realm, which
  // aws-local-stepfunctions does not take for plain objects (nested Parameters went unevaluated).
  const copy = JSON.parse(JSON.stringify(definition)) as T;
  const limits = new Map<string, CallbackLimits>();
  const visit = (machine: unknown) => {
    for (const [name, value] of Object.entries(objectOf(objectOf(machine).States))) {
      const state = objectOf(value);
      if (
        state.Type === 'Task' &&
        typeof state.Resource === 'string' &&
        state.Resource.endsWith(CALLBACK_SUFFIX)
      ) {
        limits.set(name, {
          ...(typeof state.TimeoutSeconds === 'number' ? { timeoutSeconds: state.TimeoutSeconds } : {}),
          ...(typeof state.TimeoutSecondsPath === 'string'
            ? { timeoutSecondsPath: state.TimeoutSecondsPath }
            : {}),
          ...(typeof state.HeartbeatSeconds === 'number' ? { heartbeatSeconds: state.HeartbeatSeconds } : {}),
          ...(typeof state.HeartbeatSecondsPath === 'string'
            ? { heartbeatSecondsPath: state.HeartbeatSecondsPath }
            : {}),
        });
        delete state.TimeoutSecondsPath;
        delete state.HeartbeatSeconds;
        delete state.HeartbeatSecondsPath;
        state.TimeoutSeconds = NO_TASK_TIMEOUT_SEC;
        if (
          typeof state.Parameters === 'object' &&
          state.Parameters !== null &&
          !Array.isArray(state.Parameters)
        )
          (state.Parameters as Record<string, unknown>)[`${STATE_INPUT_KEY}.$`] = '$';
      }
      if (state.Type === 'Map') visit(state.ItemProcessor ?? state.Iterator);
      if (state.Type === 'Parallel' && Array.isArray(state.Branches))
        for (const branch of state.Branches) visit(branch);
    }
  };
  visit(copy);
  return { definition: copy, limits };
}

/**
 * `$$.Task.Token` of one execution: minted when the task's Parameters read it, handed to the task's
 * handler, which runs right after (aws-local-stepfunctions evaluates Parameters, then calls the
 * handler, in one synchronous step). A retried task reads it again and gets a new token, as on AWS.
 */
export interface TaskTokenSlot {
  /** The context object's `Task` (read by Parameters as `$$.Task.Token`). */
  readonly contextTask: { readonly Token: string };
  /** The token the current task was given (or a new one when its Parameters did not read it). */
  take(): string;
}

export function taskTokenSlot(mint: () => string): TaskTokenSlot {
  let current: string | undefined;
  const contextTask = {} as { readonly Token: string };
  Object.defineProperty(contextTask, 'Token', {
    enumerable: true,
    get: () => {
      current ??= mint();
      return current;
    },
  });
  return {
    contextTask,
    take: () => {
      const token = current ?? mint();
      current = undefined;
      return token;
    },
  };
}

export interface CallbackContext {
  executionArn: string;
  tokens: TaskTokens;
  slot: TaskTokenSlot;
  limits: ReadonlyMap<string, CallbackLimits>;
}

type TaskHandler = (input: unknown) => Promise<unknown>;

/**
 * Runs the integration (invokes the function, sends the message...) with the token in its payload,
 * then waits for the token: SendTaskSuccess's output is the task's result, SendTaskFailure its
 * error; TimeoutSeconds and HeartbeatSeconds fail it with States.Timeout. A failed invocation
 * fails the task at once with the function's error.
 */
export function callbackHandler(
  stateName: string,
  run: TaskHandler,
  callbacks: CallbackContext,
): TaskHandler {
  return async (input) => {
    const token = callbacks.slot.take();
    const fields = objectOf(input);
    const { [STATE_INPUT_KEY]: stateInput, ...parameters } = fields;
    let limits: TaskWaitLimits;
    try {
      limits = resolveLimits(
        callbacks.limits.get(stateName) ?? {},
        STATE_INPUT_KEY in fields ? stateInput : input,
      );
    } catch (error) {
      callbacks.tokens.close(token);
      throw error;
    }
    let settled = false;
    const waiting = callbacks.tokens.wait(token, callbacks.executionArn, limits);
    waiting.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    try {
      await run(STATE_INPUT_KEY in fields ? parameters : input);
    } catch (error) {
      // Completed meanwhile (the function sent SendTaskSuccess before it failed): the token won.
      if (!settled) {
        callbacks.tokens.close(token);
        throw error;
      }
    }
    return waiting;
  };
}

function resolveLimits(spec: CallbackLimits, stateInput: unknown): TaskWaitLimits {
  const timeoutSec = spec.timeoutSecondsPath
    ? positiveInteger(spec.timeoutSecondsPath, stateInput)
    : spec.timeoutSeconds;
  const heartbeatSec = spec.heartbeatSecondsPath
    ? positiveInteger(spec.heartbeatSecondsPath, stateInput)
    : spec.heartbeatSeconds;
  return {
    ...(timeoutSec !== undefined ? { timeoutSec } : {}),
    ...(heartbeatSec !== undefined ? { heartbeatSec } : {}),
  };
}

function positiveInteger(path: string, input: unknown): number {
  const value = referencePath(path, input);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new TaskFailedError(
      'States.Runtime',
      `The value of '${path}' must be a positive integer, found ${JSON.stringify(value) ?? 'nothing'}`,
    );
  return value;
}

/** ASL reference paths: `$`, `.name`, `['name']` and `[n]` steps only (no filters or wildcards). */
function referencePath(path: string, input: unknown): unknown {
  if (!path.startsWith('$')) throw new TaskFailedError('States.Runtime', `Invalid reference path '${path}'`);
  let value: unknown = input;
  const steps = path.slice(1).matchAll(/\.([^.[\]]+)|\['([^']*)'\]|\[(\d+)\]/g);
  for (const [, dotted, quoted, index] of steps) {
    const key = dotted ?? quoted ?? Number(index);
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
