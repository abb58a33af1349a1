import type { ModelFault, ModelFaults } from '../../../models/src';
import type { AwsJsonEmulator } from '../../aws-json/src';
import { type DenyDeliveryMatch, EventFaults, type PutEventsFailureMatch } from './event-faults';
import type { FaultPointPattern, SandboxFaults } from './fault-points';
import { SIDE_EFFECTS } from './fault-points';
import {
  describeName,
  type FaultHandle,
  type FaultKind,
  FaultRecord,
  handleOf,
  matchesName,
  type NameMatch,
} from './fault-record';
import { type FaultTriggerOptions, InvalidFaultOptionsError } from './fault-trigger';
import { MessageAudit, type MessageAuditReport } from './message-audit';
import { type MessageHold, QueueFaults, type QueueMessageMatch } from './queue-faults';
import { invocationCrashPicker, SandboxFaultRules } from './sandbox-fault-rules';

export interface CrashOptions extends FaultTriggerOptions {
  /** The Lambda function (full name, or a pattern of names). */
  functionName: NameMatch;
  /** Where it crashes: 'before:s3:PutObject', 'after:dynamodb:*', 'before:replicate:CreatePrediction'... */
  at: FaultPointPattern;
  /**
   * 'point' (default): `probability` is per matching point reached, so an invocation with many side
   * effects (a batch) crashes more often. 'invocation': `probability` is per invocation; a picked
   * invocation dies at a random one of the first `maxPoint` (default 6) matching points it reaches,
   * or, if it reaches fewer, after its handler returned and before its response reaches the
   * invoker (ChaosCrashError.point 'end:invocation'), so `probability` is the share of invocations
   * that crash. `times` caps the crashes.
   */
  per?: 'point' | 'invocation';
  maxPoint?: number;
}

export interface TimeoutOptions extends FaultTriggerOptions {
  functionName: NameMatch;
  /** Where the handler hangs (a fault point pattern); by default before it starts. */
  at?: FaultPointPattern;
  /** Kill the sandbox this long after it hangs instead of waiting the function's whole timeout. */
  afterMs?: number;
}

export interface ReorderOptions extends QueueMessageMatch, FaultTriggerOptions {
  /** Held messages are released in reverse order once this many are held (default 2)... */
  window?: number;
  /** ...or this long after the first one was held (default 1000 ms). */
  maxHoldMs?: number;
}

export interface FaultReportLine {
  id: string;
  kind: FaultKind;
  target: string;
  injected: number;
  details: Record<string, number>;
  active: boolean;
}

export interface ChaosReport {
  faults: FaultReportLine[];
  /** Injections per kind of fault. */
  totals: Partial<Record<FaultKind, number>>;
  messages: MessageAuditReport;
}

export class UnknownChaosTargetError extends Error {
  readonly retryable = false;
  constructor(what: string) {
    super(`no ${what} on the embedded cloud`);
    this.name = 'UnknownChaosTargetError';
  }
}

export interface ChaosInjectorDeps {
  emulator: AwsJsonEmulator;
  models?: { faults: ModelFaults };
  /** Names of the deployed functions, so a typo fails when the fault is armed, not silently. */
  functionNames: () => string[];
}

/**
 * The embedded cloud's fault injector, driven by tests: duplicate, delayed and reordered SQS
 * deliveries, denied EventBridge deliveries, partial PutEvents failures, Lambda crashes at a side
 * effect and Lambda timeouts, and the model server's Replicate faults. Every fault is counted, and
 * every message accounted for, in report().
 */
export class ChaosInjector {
  readonly audit: MessageAudit;
  /** Given to each LocalFunction: crashes and timeouts are decided here. */
  readonly sandboxFaults: SandboxFaults;
  private readonly records: FaultRecord[] = [];
  private readonly queueFaults: QueueFaults;
  private readonly eventFaults: EventFaults;
  private readonly sandboxRules = new SandboxFaultRules();
  private readonly modelFaults: Array<{ record: FaultRecord; fault: ModelFault; times: number }> = [];
  private nextId = 1;

  constructor(private readonly deps: ChaosInjectorDeps) {
    this.audit = new MessageAudit(deps.emulator.sqs, deps.emulator.events);
    this.queueFaults = new QueueFaults(deps.emulator.sqs);
    this.eventFaults = new EventFaults(deps.emulator.events);
    this.sandboxFaults = this.sandboxRules;
  }

  /** Matching SQS messages are delivered twice to their consumer (the copy keeps the MessageId). */
  duplicate(options: QueueMessageMatch & FaultTriggerOptions = {}): FaultHandle {
    const record = this.record('duplicate', `queue ${describeName(options.queue)}`, options);
    this.queueFaults.duplicate(record, options);
    return handleOf(record);
  }

  /** Matching SQS messages become receivable only delayMs later. */
  delay(options: QueueMessageMatch & FaultTriggerOptions & { delayMs: number }): FaultHandle {
    const record = this.record(
      'delay',
      `queue ${describeName(options.queue)} +${options.delayMs} ms`,
      options,
    );
    this.queueFaults.delay(record, options, options.delayMs);
    return handleOf(record);
  }

  /** Matching SQS messages are held in windows and released in reverse order. */
  reorder(options: ReorderOptions = {}): FaultHandle {
    const window = options.window ?? 2;
    const record = this.record('reorder', `queue ${describeName(options.queue)} window ${window}`, {
      ...options,
      times: options.times ?? (options.probability === undefined ? window : undefined),
    });
    const hold = this.queueFaults.hold(record, options, window, options.maxHoldMs ?? 1000);
    return handleOf(record, () => hold.release('reverse'));
  }

  /** Matching SQS messages are held until the test releases them, in the order it chooses. */
  hold(options: QueueMessageMatch & FaultTriggerOptions = {}): FaultHandle & { held: MessageHold } {
    const record = this.record('hold', `queue ${describeName(options.queue)}`, {
      ...options,
      times: options.times ?? Number.POSITIVE_INFINITY,
    });
    const held = this.queueFaults.hold(record, options, undefined, 0);
    return { ...handleOf(record), held };
  }

  /** EventBridge refuses to deliver the rule's events (NO_PERMISSIONS): they land in the target's DLQ. */
  denyDelivery(options: DenyDeliveryMatch & FaultTriggerOptions): FaultHandle {
    const rules = this.deps.emulator.events
      .listEventBuses()
      .flatMap((bus) => [...bus.rules.values()])
      .filter((rule) => matchesName(options.ruleName, rule.name));
    if (rules.length === 0) throw new UnknownChaosTargetError(`rule ${describeName(options.ruleName)}`);
    const record = this.record('deny-delivery', `rule ${describeName(options.ruleName)}`, options);
    const remove = this.eventFaults.denyDelivery(record, options);
    return handleOf(record, remove);
  }

  /** Matching entries of PutEvents calls are refused with an ErrorCode (partial failure). */
  failPutEvents(options: PutEventsFailureMatch & FaultTriggerOptions = {}): FaultHandle {
    const what = options.detailType ?? options.source ?? 'any entry';
    const record = this.record(
      'fail-put-events',
      `PutEvents ${what} → ${options.errorCode ?? 'InternalFailure'}`,
      options,
    );
    const remove = this.eventFaults.failPutEvents(record, options);
    return handleOf(record, remove);
  }

  /** The function's invocation dies at the fault point, as if its process crashed there. */
  crash(options: CrashOptions): FaultHandle {
    this.checkFunction(options.functionName);
    checkPattern(options.at);
    const target = `${describeName(options.functionName)} ${options.at}`;
    if (options.per === 'invocation') {
      const maxPoint = options.maxPoint ?? 6;
      if (!(Number.isInteger(maxPoint) && maxPoint >= 1))
        throw new InvalidFaultOptionsError(`maxPoint ${options.maxPoint} is not a count of points`);
      // The record counts actual crashes (up to `times`); the picker chooses invocations and points.
      const record = this.record('crash', `${target} per invocation`, {
        times: options.times ?? Number.POSITIVE_INFINITY,
        probability: 1,
      });
      this.sandboxRules.add({
        record,
        functionName: options.functionName,
        at: options.at,
        action: 'crash',
        perInvocation: invocationCrashPicker({
          probability: options.probability ?? 1,
          seed: options.seed ?? 1,
          maxPoint,
        }),
      });
      return handleOf(record);
    }
    const record = this.record('crash', target, options);
    this.sandboxRules.add({ record, functionName: options.functionName, at: options.at, action: 'crash' });
    return handleOf(record);
  }

  /** The function's invocation hangs (at its start, or at a fault point) until the timeout kills it. */
  timeout(options: TimeoutOptions): FaultHandle {
    this.checkFunction(options.functionName);
    if (options.at !== undefined) checkPattern(options.at);
    if (options.afterMs !== undefined && !(options.afterMs >= 0))
      throw new InvalidFaultOptionsError(`afterMs ${options.afterMs} is not a duration`);
    const record = this.record(
      'timeout',
      `${describeName(options.functionName)} ${options.at ?? 'start'}`,
      options,
    );
    this.sandboxRules.add({
      record,
      functionName: options.functionName,
      at: options.at,
      action: 'hang',
      ...(options.afterMs === undefined ? {} : { timeoutAfterMs: options.afterMs }),
    });
    return handleOf(record);
  }

  /** A fault of the local model server (429, 5xx, failed prediction, webhook faults...), counted here. */
  replicate(fault: ModelFault): FaultHandle {
    const models = this.deps.models;
    if (!models) throw new UnknownChaosTargetError('local model server');
    const times = fault.times ?? 1;
    if (!Number.isFinite(times))
      throw new InvalidFaultOptionsError('a model fault needs a finite times to be counted');
    const armed = { ...fault, times };
    const record = this.record('replicate', `models ${fault.kind}`, { times: 0 });
    models.faults.add(armed);
    this.modelFaults.push({ record, fault: armed, times });
    // The model server consumes the fault; read how much of it is used up when asked.
    return {
      ...handleOf(record),
      injected: () => {
        this.countModelFaults();
        return record.injected;
      },
    };
  }

  /** Every fault with how often it fired, and where every message went. */
  report(): ChaosReport {
    this.countModelFaults();
    const faults = this.records.map((r) => ({
      id: r.id,
      kind: r.kind,
      target: r.target,
      injected: r.injected,
      details: { ...r.details },
      active: r.active,
    }));
    const totals: Partial<Record<FaultKind, number>> = {};
    for (const f of faults) totals[f.kind] = (totals[f.kind] ?? 0) + f.injected;
    return { faults, totals, messages: this.audit.report() };
  }

  /** Disarms every fault and releases every held message (counts stay in the report). */
  clear(): void {
    for (const record of this.records) record.removed = true;
    this.queueFaults.releaseAll();
  }

  close(): void {
    this.clear();
    this.queueFaults.close();
    this.audit.close();
  }

  private record(kind: FaultKind, target: string, trigger: FaultTriggerOptions): FaultRecord {
    const record = new FaultRecord(`${kind}-${this.nextId++}`, kind, target, trigger);
    this.records.push(record);
    return record;
  }

  private checkFunction(match: NameMatch): void {
    if (!this.deps.functionNames().some((name) => matchesName(match, name)))
      throw new UnknownChaosTargetError(`function ${describeName(match)}`);
  }

  private countModelFaults(): void {
    const models = this.deps.models;
    if (!models) return;
    const pending = models.faults.pending();
    for (const { record, fault, times } of this.modelFaults) {
      const remaining = pending.find((p) => p.fault === fault)?.remaining ?? 0;
      record.extraInjected = times - remaining;
    }
  }
}

/** One line per fault and the message accounting, for a soak's printout. */
export function formatChaosReport(report: ChaosReport): string[] {
  const m = report.messages;
  return [
    ...report.faults.map((f) => {
      const details = Object.entries(f.details)
        .map(([k, v]) => ` ${k} ${v}`)
        .join('');
      return `${f.id.padEnd(20)} ${f.target.padEnd(60)} injected ${f.injected}${details}`;
    }),
    `messages: sent ${m.sent}, consumed ${m.consumed}, pending ${m.pending}, dead-lettered ${m.deadLettered}, lost ${m.lost.length}, EventBridge deliveries dropped ${m.eventDeliveriesDropped}`,
  ];
}

function checkPattern(pattern: FaultPointPattern): void {
  if (pattern === '*') return;
  const [when, service, operation] = pattern.split(':');
  const known = (part: string | undefined, values: readonly string[]) =>
    part === '*' || (part !== undefined && values.includes(part));
  const effects = SIDE_EFFECTS.map((e) => e.split(':'));
  if (
    pattern.split(':').length !== 3 ||
    !known(when, ['before', 'after']) ||
    !known(
      service,
      effects.map(([s]) => s ?? ''),
    ) ||
    !known(
      operation,
      effects.filter(([s]) => service === '*' || s === service).map(([, o]) => o ?? ''),
    )
  )
    throw new InvalidFaultOptionsError(
      `fault point ${pattern} is not <before|after|*>:<service>:<operation> of a side effect (${SIDE_EFFECTS.join(', ')})`,
    );
}
