import { randomUUID } from 'node:crypto';
import type { DurableStore } from '../shared/durable-store';
import { StepFunctionsError, TaskFailedError } from './sfn-errors';

/**
 * Task tokens of the callback pattern (`.waitForTaskToken`), as AWS answers them:
 * - a token this emulator never could have issued is InvalidToken;
 * - a well-formed token of a task it does not know is TaskDoesNotExist;
 * - a token whose task is closed (completed once already, timed out, its execution ended or was run
 *   again after a restart) is TaskTimedOut: AWS's TaskTimedOut is "the task token has either
 *   expired or the task associated with the token has already been closed", so a token used twice
 *   is refused with it.
 * Tokens are opaque to callers; here they carry their execution's ARN. IAM checks SendTask* on "*"
 * (the actions have no resource type), so the token is the capability.
 */
export const TASK_TOKEN_RECORD = 'sfn-task-token';

/** AWS's length limits on taskToken (1..2048) and on SendTaskSuccess's output (256 KiB). */
const MAX_TOKEN_LENGTH = 2048;
const MAX_OUTPUT_LENGTH = 262_144;

interface TokenFields {
  v: 1;
  /** The execution ARN. */
  e: string;
  /** A random id: tokens of the same state (retries, loops) differ. */
  n: string;
}

/** The execution a token belongs to, or undefined when it is not a token this emulator issues. */
export function decodeTaskToken(token: string): TokenFields | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    const fields = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenFields>;
    if (fields.v !== 1 || typeof fields.e !== 'string') return undefined;
    if (
      typeof fields.n !== 'string' ||
      !/^arn:aws[\w-]*:states:[\w-]+:\d{12}:execution:[^:]+:[^:]+$/.test(fields.e)
    )
      return undefined;
    return fields as TokenFields;
  } catch {
    return undefined;
  }
}

export interface TaskWaitLimits {
  timeoutSec?: number;
  heartbeatSec?: number;
}

interface OpenTask {
  executionArn: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  timeout?: NodeJS.Timeout;
  heartbeat?: NodeJS.Timeout;
  heartbeatMs?: number;
}

interface StoredToken {
  executionArn: string;
  closed: boolean;
}

/**
 * AWS fails a callback task that outlives TimeoutSeconds, or HeartbeatSeconds without a heartbeat,
 * with States.Timeout (States.HeartbeatTimeout is AWS's narrower name for the second; ErrorEquals
 * matches one name here, so both are States.Timeout).
 */
export class TaskTimeoutError extends TaskFailedError {
  constructor(cause: string) {
    super('States.Timeout', cause);
  }
}

/** Issues task tokens, holds the tasks waiting on them and settles them on SendTask*. */
export class TaskTokens {
  private readonly known = new Map<string, StoredToken>();
  private readonly open = new Map<string, OpenTask>();

  constructor(private readonly store?: DurableStore) {
    if (!store) return;
    // A token open when the emulator stopped names a task that no longer runs: its execution is run
    // again from its input with new tokens. So every stored token comes back closed.
    for (const { key, value } of store.list<StoredToken>(TASK_TOKEN_RECORD)) {
      this.known.set(key, { ...value, closed: true });
      if (!value.closed) store.put(TASK_TOKEN_RECORD, key, { ...value, closed: true });
    }
  }

  mint(executionArn: string): string {
    const fields: TokenFields = { v: 1, e: executionArn, n: randomUUID() };
    const token = Buffer.from(JSON.stringify(fields)).toString('base64url');
    this.remember(token, { executionArn, closed: false });
    return token;
  }

  /** Opens the task the token stands for; settles with SendTaskSuccess's output or fails. */
  wait(token: string, executionArn: string, limits: TaskWaitLimits): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const task: OpenTask = { executionArn, resolve, reject };
      if (limits.timeoutSec !== undefined)
        task.timeout = setTimeout(
          () => this.expire(token, `The task did not complete within ${limits.timeoutSec} seconds.`),
          limits.timeoutSec * 1000,
        );
      if (limits.heartbeatSec !== undefined) {
        task.heartbeatMs = limits.heartbeatSec * 1000;
        task.heartbeat = setTimeout(
          () => this.expire(token, `No heartbeat within ${limits.heartbeatSec} seconds.`),
          task.heartbeatMs,
        );
      }
      this.open.set(token, task);
    });
  }

  /** SendTaskSuccess */
  succeed(token: string, output: string): void {
    const task = this.openTask(token);
    if (output.length > MAX_OUTPUT_LENGTH)
      throw StepFunctionsError.validation(
        `1 validation error detected: Value at 'output' failed to satisfy constraint: Member must have length less than or equal to ${MAX_OUTPUT_LENGTH}`,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new StepFunctionsError('InvalidOutput', `Invalid Output: '${output.slice(0, 100)}'`);
    }
    this.close(token);
    task.resolve(parsed);
  }

  /** SendTaskFailure */
  fail(token: string, error: string | undefined, cause: string | undefined): void {
    const task = this.openTask(token);
    this.close(token);
    task.reject(new TaskFailedError(error ?? '', cause ?? ''));
  }

  /** SendTaskHeartbeat: restarts the heartbeat clock (TimeoutSeconds still bounds the task). */
  heartbeat(token: string): void {
    const task = this.openTask(token);
    if (task.heartbeat && task.heartbeatMs !== undefined) {
      clearTimeout(task.heartbeat);
      task.heartbeat = setTimeout(
        () => this.expire(token, `No heartbeat within ${(task.heartbeatMs ?? 0) / 1000} seconds.`),
        task.heartbeatMs,
      );
    }
  }

  /** The task ended another way (its invocation failed, the state's own timer): the token closes. */
  close(token: string): void {
    const task = this.open.get(token);
    if (task) {
      clearTimeout(task.timeout);
      clearTimeout(task.heartbeat);
      this.open.delete(token);
    }
    const known = this.known.get(token);
    if (known && !known.closed) this.remember(token, { ...known, closed: true });
  }

  /** The execution ended (or was stopped): its tokens close, its open tasks wait no more. */
  closeExecution(executionArn: string): void {
    for (const [token, known] of this.known)
      if (known.executionArn === executionArn && !known.closed) this.close(token);
  }

  /** Stops every timer (the emulator is going away). */
  dispose(): void {
    for (const task of this.open.values()) {
      clearTimeout(task.timeout);
      clearTimeout(task.heartbeat);
    }
    this.open.clear();
  }

  private expire(token: string, cause: string): void {
    const task = this.open.get(token);
    if (!task) return;
    this.close(token);
    task.reject(new TaskTimeoutError(cause));
  }

  private openTask(token: string): OpenTask {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH)
      throw StepFunctionsError.validation(
        `1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length between 1 and ${MAX_TOKEN_LENGTH}`,
      );
    if (!decodeTaskToken(token)) throw new StepFunctionsError('InvalidToken', `Invalid Token: '${token}'`);
    const known = this.known.get(token);
    if (!known)
      throw new StepFunctionsError('TaskDoesNotExist', "Task Does Not Exist: 'Provided task does not exist'");
    const task = this.open.get(token);
    if (known.closed || !task)
      throw new StepFunctionsError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    return task;
  }

  private remember(token: string, value: StoredToken): void {
    this.known.set(token, value);
    this.store?.put(TASK_TOKEN_RECORD, token, value);
  }
}
