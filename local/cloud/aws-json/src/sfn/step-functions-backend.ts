import { randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { DurableStore } from '../shared/durable-store';
import { prepareCallbackTasks, taskTokenSlot } from './callback-tasks';
import { ExecutionHistory, type HistoryEvent } from './execution-history';
import { StepFunctionsError } from './sfn-errors';
import { buildTaskHandlers, type TaskPorts, taskResources } from './task-handlers';
import { withAwsTaskTimeouts } from './task-timeouts';
import { TaskTokens } from './task-tokens';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface StateMachineRecord {
  arn: string;
  name: string;
  definition: string;
  parsed: StateMachineDefinition;
  roleArn: string;
  type: 'STANDARD';
  createdAt: number;
  updatedAt?: number;
}

export interface ExecutionRecord {
  arn: string;
  name: string;
  stateMachineArn: string;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  history: ExecutionHistory;
  /** Settles when the execution has ended. */
  done: Promise<void>;
}

/** The detail of AWS's "Step Functions Execution Status Change" event. */
export interface ExecutionStatusChange {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate: number | null;
  input: string;
  inputDetails: { included: boolean };
  output: string | null;
  outputDetails: { included: boolean } | null;
  error: string | null;
  cause: string | null;
}

export interface StepFunctionsBackendOptions extends Omit<TaskPorts, 'region' | 'accountId'> {
  region: string;
  accountId: string;
  /** Receives each status change (RUNNING and every end), e.g. to put it on the default bus. */
  onStatusChange?: (change: ExecutionStatusChange) => void;
  /**
   * Keeps every execution on disk: ended ones come back with their history, RUNNING ones are run
   * again from their input by resumeExecutions() once their machine and functions are deployed.
   */
  store?: DurableStore;
}

/** The store's record kind for executions, keyed by execution ARN. */
const EXECUTION_RECORD = 'sfn-execution';

type StoredExecution = Omit<ExecutionRecord, 'history' | 'done'> & { history: HistoryEvent[] };

// biome-ignore lint/suspicious/noControlCharactersInRegex: Step Functions names exclude control characters.
const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

/** In-memory Step Functions (Standard): state machines and executions run by aws-local-stepfunctions. */
export class StepFunctionsBackend {
  readonly region: string;
  readonly accountId: string;
  private readonly machines = new Map<string, StateMachineRecord>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly aborts = new Map<string, () => void>();
  private readonly ports: TaskPorts;
  private readonly onStatusChange: ((change: ExecutionStatusChange) => void) | undefined;
  private readonly store: DurableStore | undefined;
  /** RUNNING executions a previous run left, waiting for resumeExecutions(). */
  private readonly interrupted: StoredExecution[] = [];
  /** Task tokens of callback tasks (`.waitForTaskToken`), kept in the store like executions. */
  private readonly tokens: TaskTokens;
  private closed = false;

  constructor(options: StepFunctionsBackendOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.ports = options;
    this.onStatusChange = options.onStatusChange;
    this.store = options.store;
    this.tokens = new TaskTokens(options.store);
    if (this.store) this.loadStoredExecutions(this.store);
  }

  /**
   * Runs again, from their input, the executions that were RUNNING when the previous run stopped
   * (their machines must exist again by now). The emulator cannot restore a run mid-way
   * (aws-local-stepfunctions keeps its state in memory), so each starts over under its own ARN,
   * name and start date; its tasks must be idempotent (RenderScene's are: see
   * local/cloud/README.md "Restarts"). Returns the ARNs resumed; an execution whose machine is gone
   * ends ABORTED.
   */
  resumeExecutions(): string[] {
    const resumed: string[] = [];
    for (const stored of this.interrupted.splice(0)) {
      const machine = this.machines.get(stored.stateMachineArn);
      if (!machine) {
        const execution = this.restore(stored);
        this.finish(execution, 'ABORTED', {
          error: 'States.Aborted',
          cause: 'State machine no longer exists',
        });
        continue;
      }
      const execution = this.run(machine, stored.arn, stored.name, stored.input, JSON.parse(stored.input), {
        startDate: stored.startDate,
      });
      this.executions.set(stored.arn, execution);
      resumed.push(stored.arn);
    }
    return resumed;
  }

  stateMachineArn(name: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
  }

  // ---- state machines -----------------------------------------------------------------------

  createStateMachine(input: {
    name: string;
    definition: string;
    roleArn: string;
    type?: string;
  }): StateMachineRecord {
    if (!NAME.test(input.name)) throw StepFunctionsError.invalidName(input.name);
    const type = input.type ?? 'STANDARD';
    if (type !== 'STANDARD') throw StepFunctionsError.stateMachineTypeNotSupported(type);
    const parsed = parseDefinition(input.definition);
    const arn = this.stateMachineArn(input.name);
    const existing = this.machines.get(arn);
    if (existing) {
      // CreateStateMachine is idempotent for an identical machine.
      if (existing.definition === input.definition && existing.roleArn === input.roleArn) return existing;
      throw StepFunctionsError.stateMachineAlreadyExists(arn);
    }
    const machine: StateMachineRecord = {
      arn,
      name: input.name,
      definition: input.definition,
      parsed,
      roleArn: input.roleArn,
      type: 'STANDARD',
      createdAt: Date.now(),
    };
    this.machines.set(arn, machine);
    return machine;
  }

  stateMachine(arn: string): StateMachineRecord {
    const machine = this.machines.get(arn);
    if (!machine) {
      if (!arn.startsWith('arn:')) throw StepFunctionsError.invalidArn(arn);
      throw StepFunctionsError.stateMachineDoesNotExist(arn);
    }
    return machine;
  }

  listStateMachines(): StateMachineRecord[] {
    return [...this.machines.values()];
  }

  updateStateMachine(arn: string, changes: { definition?: string; roleArn?: string }): StateMachineRecord {
    const machine = this.stateMachine(arn);
    if (changes.definition !== undefined) {
      machine.parsed = parseDefinition(changes.definition);
      machine.definition = changes.definition;
    }
    if (changes.roleArn !== undefined) machine.roleArn = changes.roleArn;
    machine.updatedAt = Date.now();
    return machine;
  }

  /** Deletes the machine and stops its running executions, as Step Functions eventually does. */
  deleteStateMachine(arn: string): void {
    if (!this.machines.delete(arn)) return;
    for (const execution of this.executions.values()) {
      if (execution.stateMachineArn === arn && execution.status === 'RUNNING') {
        this.stopExecution(execution.arn, 'States.Aborted', 'State machine deleted');
      }
    }
  }

  // ---- executions ---------------------------------------------------------------------------

  /**
   * Starts an execution. Names are unique per machine: the same name and input while the first
   * run is still RUNNING returns that run; anything else is ExecutionAlreadyExists, as in AWS.
   */
  startExecution(stateMachineArn: string, options: { name?: string; input?: string } = {}): ExecutionRecord {
    const machine = this.stateMachine(stateMachineArn);
    const name = options.name ?? randomUUID();
    if (!NAME.test(name)) throw StepFunctionsError.invalidName(name);
    const input = options.input ?? '{}';
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch {
      throw StepFunctionsError.invalidExecutionInput(`Invalid State Machine Execution Input: '${input}'`);
    }
    const arn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw StepFunctionsError.executionAlreadyExists(arn);
    }
    const execution = this.run(machine, arn, name, input, parsedInput);
    this.executions.set(arn, execution);
    return execution;
  }

  execution(arn: string): ExecutionRecord {
    const execution = this.executions.get(arn);
    if (!execution) {
      if (!arn.startsWith('arn:')) throw StepFunctionsError.invalidArn(arn);
      throw StepFunctionsError.executionDoesNotExist(arn);
    }
    return execution;
  }

  /** Newest first, as ListExecutions returns them. */
  listExecutions(stateMachineArn: string, statusFilter?: ExecutionStatus): ExecutionRecord[] {
    this.stateMachine(stateMachineArn);
    return [...this.executions.values()]
      .filter((execution) => execution.stateMachineArn === stateMachineArn)
      .filter((execution) => statusFilter === undefined || execution.status === statusFilter)
      .sort((left, right) => right.startDate - left.startDate);
  }

  stopExecution(arn: string, error?: string, cause?: string): ExecutionRecord {
    const execution = this.execution(arn);
    if (execution.status !== 'RUNNING') return execution;
    const abort = this.aborts.get(arn);
    this.finish(execution, 'ABORTED', { error, cause });
    abort?.();
    return execution;
  }

  // ---- callback tasks -----------------------------------------------------------------------

  /** SendTaskSuccess: the waiting task's result is the output (JSON). */
  sendTaskSuccess(taskToken: string, output: string): void {
    this.tokens.succeed(taskToken, output);
  }

  /** SendTaskFailure: the waiting task fails with this error and cause (Retry/Catch match the error). */
  sendTaskFailure(taskToken: string, error?: string, cause?: string): void {
    this.tokens.fail(taskToken, error, cause);
  }

  /** SendTaskHeartbeat: restarts the task's HeartbeatSeconds clock. */
  sendTaskHeartbeat(taskToken: string): void {
    this.tokens.heartbeat(taskToken);
  }

  /** Stops every running execution without announcing it (the emulator is going away). */
  close(): void {
    this.closed = true;
    this.tokens.dispose();
    for (const [arn, abort] of this.aborts) {
      const execution = this.executions.get(arn);
      if (execution?.status === 'RUNNING') {
        execution.status = 'ABORTED';
        execution.stopDate = Date.now();
        execution.cause = 'The local emulator was closed';
      }
      abort();
    }
    this.aborts.clear();
  }

  // ---- private ------------------------------------------------------------------------------

  private run(
    machine: StateMachineRecord,
    arn: string,
    name: string,
    input: string,
    parsedInput: unknown,
    resumedFrom?: { startDate: number },
  ): ExecutionRecord {
    const history = new ExecutionHistory();
    const startDate = resumedFrom?.startDate ?? Date.now();
    const resources = new Map(taskResources(machine.parsed));
    const callbacks = prepareCallbackTasks(machine.parsed);
    const stateMachine = new StateMachine(withAwsTaskTimeouts(callbacks.definition), {
      validationOptions: { noValidate: true },
    });
    const slot = taskTokenSlot(() => this.tokens.mint(arn));
    const overrides = {
      taskResourceLocalHandlers: buildTaskHandlers(callbacks.definition, this.ports, {
        executionArn: arn,
        tokens: this.tokens,
        slot,
        limits: callbacks.limits,
      }),
    } as NonNullable<RunOptions['overrides']>;
    const running = stateMachine.run(parsedInput as Parameters<StateMachine['run']>[0], {
      overrides,
      context: {
        Execution: { Id: arn, Name: name, RoleArn: machine.roleArn },
        StateMachine: { Id: machine.arn, Name: machine.name },
        Task: slot.contextTask,
      } as NonNullable<Parameters<StateMachine['run']>[1]>['context'],
    });
    let settle: () => void = () => undefined;
    const execution: ExecutionRecord = {
      arn,
      name,
      stateMachineArn: machine.arn,
      input,
      status: 'RUNNING',
      startDate,
      history,
      done: new Promise<void>((resolve) => {
        settle = resolve;
      }),
    };
    history.add(
      'ExecutionStarted',
      { executionStartedEventDetails: { input, roleArn: machine.roleArn } },
      startDate,
    );
    this.aborts.set(arn, running.abort);
    this.persist(execution);
    // A resumed execution announced RUNNING when it first started; it does not start twice.
    if (!resumedFrom) this.announce(execution);
    void this.recordHistory(running.eventLogs, history, resources, execution);
    running.result.then(
      (output) =>
        this.afterLogs(
          () => this.finish(execution, 'SUCCEEDED', { output: JSON.stringify(output ?? null) }),
          settle,
        ),
      (error: unknown) => this.afterLogs(() => this.finishWithError(execution, error), settle),
    );
    return execution;
  }

  private async recordHistory(
    logs: AsyncGenerator<unknown>,
    history: ExecutionHistory,
    resources: ReadonlyMap<string, string>,
    execution: ExecutionRecord,
  ): Promise<void> {
    for await (const event of logs) {
      const type = (event as { type?: string }).type ?? '';
      if (type === 'ExecutionStarted') continue;
      // The terminal history event is the backend's own; stop following the log there.
      if (type.startsWith('Execution') || execution.status !== 'RUNNING') break;
      history.addLibraryEvent(event as Parameters<ExecutionHistory['addLibraryEvent']>[0], resources);
    }
  }

  /** Lets queued library log events land in the history before the terminal event is written. */
  private afterLogs(finish: () => void, settle: () => void): void {
    setImmediate(() => {
      finish();
      settle();
    });
  }

  private finishWithError(execution: ExecutionRecord, error: unknown): void {
    if (error instanceof ExecutionAbortedError) {
      this.finish(execution, 'ABORTED', {});
    } else if (error instanceof ExecutionTimeoutError) {
      this.finish(execution, 'TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out.' });
    } else if (error instanceof ExecutionError && error.cause instanceof Error) {
      this.finish(execution, 'FAILED', { error: error.cause.name, cause: error.cause.message });
    } else {
      this.finish(execution, 'FAILED', {
        error: 'States.Runtime',
        cause: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private finish(
    execution: ExecutionRecord,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    result: { output?: string; error?: string | undefined; cause?: string | undefined },
  ): void {
    if (execution.status !== 'RUNNING') return;
    execution.status = status;
    execution.stopDate = Date.now();
    if (result.output !== undefined) execution.output = result.output;
    if (result.error !== undefined) execution.error = result.error;
    if (result.cause !== undefined) execution.cause = result.cause;
    this.aborts.delete(execution.arn);
    this.tokens.closeExecution(execution.arn);
    const errorDetails = { error: execution.error, cause: execution.cause };
    const terminal: Record<ExecutionStatus, [string, Record<string, unknown>]> = {
      RUNNING: ['ExecutionStarted', {}],
      SUCCEEDED: ['ExecutionSucceeded', { executionSucceededEventDetails: { output: execution.output } }],
      FAILED: ['ExecutionFailed', { executionFailedEventDetails: errorDetails }],
      TIMED_OUT: ['ExecutionTimedOut', { executionTimedOutEventDetails: errorDetails }],
      ABORTED: ['ExecutionAborted', { executionAbortedEventDetails: errorDetails }],
    };
    const [type, details] = terminal[status];
    execution.history.add(type, details, execution.stopDate);
    this.persist(execution);
    this.announce(execution);
  }

  private persist(execution: ExecutionRecord): void {
    if (!this.store) return;
    const { history, done: _done, ...record } = execution;
    const stored: StoredExecution = { ...record, history: history.events };
    this.store.put(EXECUTION_RECORD, execution.arn, stored);
  }

  private loadStoredExecutions(store: DurableStore): void {
    for (const { value } of store.list<StoredExecution>(EXECUTION_RECORD)) {
      if (value.status === 'RUNNING') this.interrupted.push(value);
      else this.restore(value);
    }
  }

  /** An ended execution as it was stored, history included. */
  private restore(stored: StoredExecution): ExecutionRecord {
    const history = new ExecutionHistory();
    history.events.push(...stored.history);
    const execution: ExecutionRecord = { ...stored, history, done: Promise.resolve() };
    this.executions.set(stored.arn, execution);
    return execution;
  }

  private announce(execution: ExecutionRecord): void {
    if (this.closed || !this.onStatusChange) return;
    const succeeded = execution.status === 'SUCCEEDED';
    this.onStatusChange({
      executionArn: execution.arn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate,
      stopDate: execution.stopDate ?? null,
      input: execution.input,
      inputDetails: { included: true },
      output: succeeded ? (execution.output ?? null) : null,
      outputDetails: succeeded ? { included: true } : null,
      error: execution.error ?? null,
      cause: execution.cause ?? null,
    });
  }
}

/** Parses and validates a definition with aws-local-stepfunctions' own validator. */
function parseDefinition(definition: string): StateMachineDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch {
    throw StepFunctionsError.invalidDefinition(
      'Invalid State Machine Definition: definition is not valid JSON',
    );
  }
  if (JSON.stringify(parsed).includes('"QueryLanguage":"JSONata"')) {
    throw StepFunctionsError.invalidDefinition(
      'Invalid State Machine Definition: JSONata is not supported by the local emulator',
    );
  }
  try {
    new StateMachine(parsed as StateMachineDefinition, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
  } catch (error) {
    throw StepFunctionsError.invalidDefinition(
      `Invalid State Machine Definition: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parsed as StateMachineDefinition;
}

export type { HistoryEvent };
