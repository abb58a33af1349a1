import { randomBytes } from 'node:crypto';
import type { DurableStore } from '../shared/durable-store';
import { asRecord, type RequestBody } from '../shared/request-fields';
import {
  assertTimeZone,
  nextOccurrence,
  parseScheduleExpression,
  type ScheduleExpression,
} from './schedule-expression';
import { constraintViolation, SchedulerError } from './scheduler-errors';

const STORE_KIND = 'scheduler-schedule';
const DEFAULT_GROUP = 'default';
const NAME_PATTERN = /^[0-9a-zA-Z-_.]+$/;
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const EVENT_BUS_ARN = /^arn:aws(-[a-z]+)?:events:[a-z0-9-]+:\d{12}:event-bus\/([\w.\-/]+)$/;
/** Timers longer than this are re-armed (setTimeout overflows past ~24.8 days). */
const MAX_TIMER_MS = 6 * 3_600_000;

export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  EventBridgeParameters?: { DetailType: string; Source: string };
  RetryPolicy?: RequestBody;
  DeadLetterConfig?: RequestBody;
}

export interface ScheduleRecord {
  Name: string;
  GroupName: string;
  Arn: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone: string;
  State: 'ENABLED' | 'DISABLED';
  Description?: string;
  StartDate?: number;
  EndDate?: number;
  FlexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  ActionAfterCompletion: 'NONE' | 'DELETE';
  Target: ScheduleTarget;
  CreationDate: number;
  LastModificationDate: number;
  /** Where a rate schedule counts from: its StartDate, or when it was created (or its expression changed). */
  anchorMs: number;
  /** The scheduled time last fired (epoch ms): the next occurrence comes after it. */
  lastFiredMs?: number;
}

/** One invocation of a schedule's target. */
export interface ScheduleInvocation {
  scheduleArn: string;
  name: string;
  groupName: string;
  scheduledTime: string;
  executionId: string;
  /** Set when the target refused the invocation (the role may not put on the bus, the bus is gone). */
  error?: string;
}

/**
 * Puts a schedule's event on its bus as the schedule's role: resolves to undefined when delivered,
 * or the reason it was refused (AWS then drops it, or sends it to the schedule's DLQ).
 */
export type ScheduleDeliverer = (delivery: {
  roleArn: string;
  busArn: string;
  busName: string;
  scheduleArn: string;
  source: string;
  detailType: string;
  detail: string;
  time: Date;
}) => Promise<string | undefined>;

export interface SchedulerBackendOptions {
  region: string;
  accountId: string;
  deliver: ScheduleDeliverer;
  store?: DurableStore;
}

/**
 * EventBridge Scheduler: schedules in the "default" group, validated as AWS validates them, kept in
 * the durable store, and fired on time in their own time zone at an EventBridge bus target.
 *
 * The scheduler's clock is the wall clock plus an offset tests move forward (`advanceClock`), so a
 * test sees a day's worth of firings, in order and with their scheduled times, without waiting.
 */
export class SchedulerBackend {
  private readonly schedules = new Map<string, ScheduleRecord>();
  private readonly parsed = new Map<string, ScheduleExpression>();
  private readonly invocationLog: ScheduleInvocation[] = [];
  private clockOffsetMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private firing: Promise<unknown> = Promise.resolve();
  private running = false;
  private closed = false;

  constructor(private readonly options: SchedulerBackendOptions) {
    for (const { value } of options.store?.list<ScheduleRecord>(STORE_KIND) ?? []) {
      this.schedules.set(key(value.GroupName, value.Name), value);
    }
  }

  /** The scheduler's now (epoch ms): the wall clock, moved forward by tests. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Starts firing (the embedded cloud calls it once the targets exist; a restart resumes here). */
  start(): void {
    this.running = true;
    this.arm();
  }

  createSchedule(body: RequestBody): { ScheduleArn: string } {
    const record = this.validate(body, undefined);
    const id = key(record.GroupName, record.Name);
    if (this.schedules.has(id)) throw SchedulerError.conflict(`Schedule ${record.Name} already exists.`);
    this.save(record);
    return { ScheduleArn: record.Arn };
  }

  updateSchedule(body: RequestBody): { ScheduleArn: string } {
    const existing = this.find(body);
    const record = this.validate(body, existing);
    this.save(record);
    return { ScheduleArn: record.Arn };
  }

  getSchedule(body: RequestBody): Omit<ScheduleRecord, 'anchorMs' | 'lastFiredMs'> {
    const { anchorMs: _anchor, lastFiredMs: _last, ...visible } = this.find(body);
    return visible;
  }

  deleteSchedule(body: RequestBody): Record<string, never> {
    const record = this.find(body);
    this.remove(record);
    return {};
  }

  listSchedules(body: RequestBody): { Schedules: unknown[]; NextToken?: string } {
    const group = optional(body.ScheduleGroup);
    const prefix = optional(body.NamePrefix);
    const state = optional(body.State);
    if (state !== undefined && state !== 'ENABLED' && state !== 'DISABLED')
      throw constraintViolation('state', state, 'Member must satisfy enum value set: [ENABLED, DISABLED]');
    const max = body.MaxResults === undefined ? 100 : Number(body.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 100)
      throw constraintViolation('maxResults', body.MaxResults, 'Member must have value between 1 and 100');
    const start =
      body.NextToken === undefined ? 0 : Number(Buffer.from(String(body.NextToken), 'base64').toString());
    const matching = [...this.schedules.values()]
      .filter((s) => (group === undefined || s.GroupName === group) && (!prefix || s.Name.startsWith(prefix)))
      .filter((s) => state === undefined || s.State === state)
      .sort((a, b) => a.Name.localeCompare(b.Name));
    const page = matching.slice(start, start + max);
    return {
      Schedules: page.map((s) => ({
        Arn: s.Arn,
        Name: s.Name,
        GroupName: s.GroupName,
        State: s.State,
        CreationDate: s.CreationDate,
        LastModificationDate: s.LastModificationDate,
        Target: { Arn: s.Target.Arn },
      })),
      ...(start + max < matching.length
        ? { NextToken: Buffer.from(String(start + max)).toString('base64') }
        : {}),
    };
  }

  /** When a schedule fires next (epoch ms), or undefined (disabled, ended, a one-time schedule done). */
  nextFireTime(name: string, groupName = DEFAULT_GROUP): number | undefined {
    const record = this.schedules.get(key(groupName, name));
    return record ? this.nextFor(record) : undefined;
  }

  /** Every invocation so far, in order (tests read what fired and when). */
  invocations(): readonly ScheduleInvocation[] {
    return this.invocationLog;
  }

  /**
   * Moves the scheduler's clock forward, firing every occurrence that falls due on the way, in
   * time order, each with its own scheduled time; resolves once they are delivered.
   */
  async advanceClock(ms: number): Promise<ScheduleInvocation[]> {
    if (ms < 0) throw new Error('the scheduler clock only moves forward');
    return this.serialise(async () => {
      const until = this.now() + ms;
      const fired: ScheduleInvocation[] = [];
      for (;;) {
        const due = this.earliestDue(until);
        if (!due) break;
        fired.push(await this.fire(due.record, due.at));
      }
      this.clockOffsetMs += ms;
      this.arm();
      return fired;
    });
  }

  /** Fires a schedule now, with the scheduler's current time as its scheduled time (a test hook). */
  async fireNow(name: string, groupName = DEFAULT_GROUP): Promise<ScheduleInvocation> {
    const record = this.schedules.get(key(groupName, name));
    if (!record) throw SchedulerError.notFound(`Schedule ${name} does not exist.`);
    return this.serialise(() => this.fire(record, Math.floor(this.now() / 1000) * 1000, { keepNext: true }));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  // --- validation -------------------------------------------------------------------------------

  private validate(body: RequestBody, existing: ScheduleRecord | undefined): ScheduleRecord {
    const name = requiredField(body, 'Name', 'name');
    if (name.length > 64)
      throw constraintViolation('name', name, 'Member must have length less than or equal to 64');
    if (!NAME_PATTERN.test(name))
      throw constraintViolation(
        'name',
        name,
        `Member must satisfy regular expression pattern: ${NAME_PATTERN.source}`,
      );
    const group = optional(body.GroupName) ?? DEFAULT_GROUP;
    if (group !== DEFAULT_GROUP) throw SchedulerError.notFound(`Schedule group ${group} does not exist.`);
    const expression = requiredField(body, 'ScheduleExpression', 'scheduleExpression');
    if (expression.length > 256)
      throw constraintViolation(
        'scheduleExpression',
        expression,
        'Member must have length less than or equal to 256',
      );
    const timeZone = optional(body.ScheduleExpressionTimezone) ?? 'UTC';
    assertTimeZone(timeZone);
    // Refuses an expression AWS refuses; firing parses it again (expressionOf) after a restart too.
    parseScheduleExpression(expression, timeZone);
    const window = flexibleTimeWindow(body.FlexibleTimeWindow);
    const state = optional(body.State) ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED')
      throw constraintViolation('state', state, 'Member must satisfy enum value set: [ENABLED, DISABLED]');
    const after = optional(body.ActionAfterCompletion) ?? 'NONE';
    if (after !== 'NONE' && after !== 'DELETE')
      throw constraintViolation(
        'actionAfterCompletion',
        after,
        'Member must satisfy enum value set: [NONE, DELETE]',
      );
    const description = optional(body.Description);
    if (description !== undefined && description.length > 512)
      throw constraintViolation(
        'description',
        description,
        'Member must have length less than or equal to 512',
      );
    const startDate = epochSeconds(body.StartDate);
    const endDate = epochSeconds(body.EndDate);
    if (startDate !== undefined && endDate !== undefined && endDate <= startDate)
      throw SchedulerError.validation('The EndDate must be after the StartDate.');
    if (endDate !== undefined && endDate * 1000 <= this.now())
      throw SchedulerError.validation('The EndDate must be in the future.');
    const target = scheduleTarget(body.Target);
    const nowSeconds = Math.floor(this.now() / 1000);
    // A rate schedule without a StartDate starts invoking at once (AWS: "immediately"); an update that
    // keeps the expression keeps its rhythm.
    const anchorMs =
      startDate !== undefined
        ? startDate * 1000
        : existing && existing.ScheduleExpression === expression && existing.StartDate === undefined
          ? existing.anchorMs
          : nowSeconds * 1000;
    return {
      Name: name,
      GroupName: group,
      Arn: `arn:aws:scheduler:${this.options.region}:${this.options.accountId}:schedule/${group}/${name}`,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: timeZone,
      State: state,
      ...(description !== undefined ? { Description: description } : {}),
      ...(startDate !== undefined ? { StartDate: startDate } : {}),
      ...(endDate !== undefined ? { EndDate: endDate } : {}),
      FlexibleTimeWindow: window,
      ActionAfterCompletion: after,
      Target: target,
      CreationDate: existing?.CreationDate ?? nowSeconds,
      LastModificationDate: nowSeconds,
      anchorMs,
      // An updated schedule keeps what it already fired: no occurrence is fired twice.
      ...(existing?.lastFiredMs !== undefined ? { lastFiredMs: existing.lastFiredMs } : {}),
    };
  }

  // --- firing -----------------------------------------------------------------------------------

  private expressionOf(record: ScheduleRecord): ScheduleExpression {
    const id = key(record.GroupName, record.Name);
    let parsed = this.parsed.get(id);
    if (!parsed) {
      parsed = parseScheduleExpression(record.ScheduleExpression, record.ScheduleExpressionTimezone);
      this.parsed.set(id, parsed);
    }
    return parsed;
  }

  private nextFor(record: ScheduleRecord): number | undefined {
    if (record.State !== 'ENABLED') return undefined;
    // Nothing before the last change (no catching up on what fell due while it was paused), nothing
    // fired twice, nothing before its StartDate.
    const after = Math.max(
      record.lastFiredMs ?? Number.NEGATIVE_INFINITY,
      record.LastModificationDate * 1000 - 1,
      record.StartDate !== undefined ? record.StartDate * 1000 - 1 : Number.NEGATIVE_INFINITY,
    );
    const next = nextOccurrence(
      this.expressionOf(record),
      record.ScheduleExpressionTimezone,
      after,
      record.anchorMs,
    );
    if (next === undefined) return undefined;
    if (record.EndDate !== undefined && next > record.EndDate * 1000) return undefined;
    return next;
  }

  private earliestDue(until: number): { record: ScheduleRecord; at: number } | undefined {
    let best: { record: ScheduleRecord; at: number } | undefined;
    for (const record of this.schedules.values()) {
      const at = this.nextFor(record);
      if (at !== undefined && at <= until && (!best || at < best.at)) best = { record, at };
    }
    return best;
  }

  private async fire(
    record: ScheduleRecord,
    scheduledMs: number,
    options: { keepNext?: boolean } = {},
  ): Promise<ScheduleInvocation> {
    const scheduledTime = new Date(Math.floor(scheduledMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const executionId = randomBytes(8).toString('hex');
    if (!options.keepNext) {
      record.lastFiredMs = scheduledMs;
      this.persist(record);
    }
    const invocation: ScheduleInvocation = {
      scheduleArn: record.Arn,
      name: record.Name,
      groupName: record.GroupName,
      scheduledTime,
      executionId,
    };
    const error = await this.deliver(record, { scheduledTime, executionId });
    if (error) invocation.error = error;
    this.invocationLog.push(invocation);
    if (!options.keepNext && record.ActionAfterCompletion === 'DELETE' && this.nextFor(record) === undefined)
      this.remove(record);
    return invocation;
  }

  private async deliver(
    record: ScheduleRecord,
    context: { scheduledTime: string; executionId: string },
  ): Promise<string | undefined> {
    const { Target: target } = record;
    const bus = EVENT_BUS_ARN.exec(target.Arn);
    if (!bus || !target.EventBridgeParameters)
      return `The local scheduler delivers to EventBridge buses only, not to ${target.Arn}.`;
    // AWS substitutes its context attributes in the target's Input before it invokes the target.
    const detail = (target.Input ?? '{}')
      .replaceAll('<aws.scheduler.scheduled-time>', context.scheduledTime)
      .replaceAll('<aws.scheduler.execution-id>', context.executionId)
      .replaceAll('<aws.scheduler.schedule-arn>', record.Arn)
      .replaceAll('<aws.scheduler.attempt-number>', '1');
    try {
      return await this.options.deliver({
        roleArn: target.RoleArn,
        busArn: target.Arn,
        busName: bus[2] as string,
        scheduleArn: record.Arn,
        source: target.EventBridgeParameters.Source,
        detailType: target.EventBridgeParameters.DetailType,
        detail,
        time: new Date(this.now()),
      });
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** One firing at a time: the timer and a test's clock move never interleave. */
  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const result = this.firing.then(work);
    this.firing = result.catch(() => undefined);
    return result;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running || this.closed) return;
    const due = this.earliestDue(Number.POSITIVE_INFINITY);
    if (!due) return;
    const delay = Math.min(Math.max(0, due.at - this.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      void this.serialise(async () => {
        const now = this.now();
        for (;;) {
          const next = this.earliestDue(now);
          if (!next || this.closed) break;
          await this.fire(next.record, next.at);
        }
      }).finally(() => this.arm());
    }, delay);
    this.timer.unref();
  }

  // --- storage ----------------------------------------------------------------------------------

  private find(body: RequestBody): ScheduleRecord {
    const name = requiredField(body, 'Name', 'name');
    const group = optional(body.GroupName) ?? DEFAULT_GROUP;
    const record = this.schedules.get(key(group, name));
    if (!record) throw SchedulerError.notFound(`Schedule ${name} does not exist.`);
    return record;
  }

  private save(record: ScheduleRecord): void {
    this.schedules.set(key(record.GroupName, record.Name), record);
    this.parsed.delete(key(record.GroupName, record.Name));
    this.persist(record);
    this.arm();
  }

  private persist(record: ScheduleRecord): void {
    this.options.store?.put(STORE_KIND, key(record.GroupName, record.Name), record);
  }

  private remove(record: ScheduleRecord): void {
    const id = key(record.GroupName, record.Name);
    this.schedules.delete(id);
    this.parsed.delete(id);
    this.options.store?.delete(STORE_KIND, id);
    this.arm();
  }
}

function key(group: string, name: string): string {
  return `${group}/${name}`;
}

function optional(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function requiredField(body: RequestBody, field: string, member: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '')
    throw constraintViolation(member, value, 'Member must not be null');
  return value;
}

function epochSeconds(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const seconds = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(seconds)) throw constraintViolation('startDate', value, 'Member must be a timestamp');
  return seconds;
}

function flexibleTimeWindow(value: unknown): ScheduleRecord['FlexibleTimeWindow'] {
  if (value === undefined || value === null)
    throw constraintViolation('flexibleTimeWindow', value, 'Member must not be null');
  const window = asRecord(value);
  const mode = window.Mode;
  if (mode !== 'OFF' && mode !== 'FLEXIBLE')
    throw constraintViolation(
      'flexibleTimeWindow.mode',
      mode,
      'Member must satisfy enum value set: [OFF, FLEXIBLE]',
    );
  const minutes = window.MaximumWindowInMinutes;
  if (mode === 'OFF') {
    if (minutes !== undefined)
      throw SchedulerError.validation('MaximumWindowInMinutes must not be provided when Mode is OFF.');
    return { Mode: 'OFF' };
  }
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > 1440)
    throw constraintViolation(
      'flexibleTimeWindow.maximumWindowInMinutes',
      minutes,
      'Member must have value between 1 and 1440',
    );
  return { Mode: 'FLEXIBLE', MaximumWindowInMinutes: minutes };
}

function scheduleTarget(value: unknown): ScheduleTarget {
  if (value === undefined || value === null)
    throw constraintViolation('target', value, 'Member must not be null');
  const target = asRecord(value);
  const arn = optional(target.Arn);
  if (!arn) throw constraintViolation('target.arn', target.Arn, 'Member must not be null');
  const roleArn = optional(target.RoleArn);
  if (!roleArn) throw constraintViolation('target.roleArn', target.RoleArn, 'Member must not be null');
  if (!ROLE_ARN_PATTERN.test(roleArn))
    throw constraintViolation(
      'target.roleArn',
      roleArn,
      `Member must satisfy regular expression pattern: ${ROLE_ARN_PATTERN.source}`,
    );
  const input = target.Input;
  if (input !== undefined && (typeof input !== 'string' || input.length < 1))
    throw constraintViolation('target.input', input, 'Member must have length greater than or equal to 1');
  const result: ScheduleTarget = {
    Arn: arn,
    RoleArn: roleArn,
    ...(input !== undefined ? { Input: input } : {}),
  };
  if (target.RetryPolicy !== undefined) result.RetryPolicy = asRecord(target.RetryPolicy);
  if (target.DeadLetterConfig !== undefined) result.DeadLetterConfig = asRecord(target.DeadLetterConfig);
  const ebp = target.EventBridgeParameters;
  if (EVENT_BUS_ARN.test(arn)) {
    if (ebp === undefined)
      throw SchedulerError.validation(
        'EventBridgeParameters must be provided for an EventBridge PutEvents target.',
      );
    const detailType = optional(asRecord(ebp).DetailType);
    const source = optional(asRecord(ebp).Source);
    if (!detailType)
      throw constraintViolation(
        'target.eventBridgeParameters.detailType',
        detailType,
        'Member must not be null',
      );
    if (detailType.length > 128)
      throw constraintViolation(
        'target.eventBridgeParameters.detailType',
        detailType,
        'Member must have length less than or equal to 128',
      );
    if (!source)
      throw constraintViolation('target.eventBridgeParameters.source', source, 'Member must not be null');
    // Only AWS services may send events whose source starts with "aws.".
    if (source.startsWith('aws.') || source.length > 256)
      throw constraintViolation(
        'target.eventBridgeParameters.source',
        source,
        'Member must satisfy regular expression pattern: ^(?=[/\\.\\-_A-Za-z0-9]+)((?!aws\\.).*)|(\\$(\\.[\\w_-]+(\\[(\\d+|\\*)\\])*)*)$',
      );
    result.EventBridgeParameters = { DetailType: detailType, Source: source };
  }
  return result;
}
