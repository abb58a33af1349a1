import { randomUUID } from 'node:crypto';
import type { DurableStore } from '../shared/durable-store';
import type { SqsBackend } from '../sqs/sqs-backend';
import { EventArchives } from './event-archives';
import { buildEnvelope, type EventEnvelope, entrySize } from './event-envelope';
import {
  type EventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
} from './event-pattern';
import { EventBridgeError, TargetDeliveryError } from './eventbridge-errors';
import {
  InvalidScheduleExpressionError,
  nextFireTime,
  parseScheduleExpression,
  type Schedule,
} from './schedule-expression';
import {
  compressedRetryDelayMs,
  type DeliveringRule,
  type DeliveryCounts,
  type DeliveryFault,
  type RuleTarget,
  type TargetDeliverer,
  TargetDelivery,
} from './target-delivery';
import { parseJsonPath } from './target-input';

export const DEFAULT_BUS = 'default';
const MAX_PUT_EVENTS_BYTES = 256 * 1024;
const MAX_TARGETS_PER_RULE = 5;

export interface EventBus {
  name: string;
  arn: string;
  description?: string;
  createdAt: number;
  lastModifiedAt: number;
  rules: Map<string, Rule>;
}

export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface Rule {
  name: string;
  arn: string;
  busName: string;
  eventPattern?: string;
  pattern?: EventPattern;
  scheduleExpression?: string;
  schedule?: Schedule;
  state: RuleState;
  description?: string;
  roleArn?: string;
  targets: Map<string, RuleTarget>;
  createdAt: number;
  timer?: NodeJS.Timeout;
}

export interface PutRuleInput {
  name: string;
  eventBusName?: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state?: RuleState;
  description?: string;
  roleArn?: string;
}

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: Date;
  EventBusName?: string;
  TraceHeader?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/**
 * A PutEvents fault: returns an error to refuse this one entry (as AWS answers some entries of a
 * call with ErrorCode, e.g. InternalFailure or ThrottlingException), or undefined to accept it.
 */
export type PutEventsFault = (
  entry: PutEventsEntry,
) => { ErrorCode: string; ErrorMessage: string } | undefined;

export interface EventBridgeBackendOptions {
  region: string;
  accountId: string;
  sqs: SqsBackend;
  /** Targets other than SQS queues and event buses (Lambda, Step Functions); unsupported without it. */
  deliverToTarget?: TargetDeliverer;
  /** Back-off between delivery retries; compressed by default. */
  retryDelayMs?: (attempt: number) => number;
  /**
   * Keeps archived events, events not yet delivered to their targets and when each scheduled rule
   * last fired on disk, for a restart.
   */
  store?: DurableStore;
}

/** The store's record kind for a scheduled rule's last firing, keyed by rule ARN. */
const SCHEDULE_RECORD = 'eventbridge-schedule';

/** In-memory EventBridge: buses, rules, targets, archives, replays and scheduled rules. */
export class EventBridgeBackend {
  readonly region: string;
  readonly accountId: string;
  readonly archives: EventArchives;
  private readonly buses = new Map<string, EventBus>();
  private readonly delivery: TargetDelivery;
  private readonly sqs: SqsBackend;
  private readonly deliverToOther: TargetDeliverer | undefined;
  private readonly putEventsFaults: PutEventsFault[] = [];
  private readonly store: DurableStore | undefined;
  private closed = false;

  constructor(options: EventBridgeBackendOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.sqs = options.sqs;
    this.deliverToOther = options.deliverToTarget;
    this.store = options.store;
    this.delivery = new TargetDelivery(
      options.sqs,
      (arn, input, event) => this.deliverToArn(arn, input, event),
      options.retryDelayMs ?? compressedRetryDelayMs,
      options.store,
    );
    this.archives = new EventArchives(
      this.region,
      this.accountId,
      {
        busExists: (busArn) => this.findBus(busArn) !== undefined,
        dispatchReplayed: (busArn, event, ruleArns) => {
          const bus = this.findBus(busArn);
          if (bus) this.route(bus, event, ruleArns);
        },
      },
      options.store,
    );
    this.createEventBus(DEFAULT_BUS);
  }

  busArn(name: string): string {
    return `arn:aws:events:${this.region}:${this.accountId}:event-bus/${name}`;
  }

  ruleArn(busName: string, ruleName: string): string {
    const path = busName === DEFAULT_BUS ? ruleName : `${busName}/${ruleName}`;
    return `arn:aws:events:${this.region}:${this.accountId}:rule/${path}`;
  }

  // ---- buses --------------------------------------------------------------------------------

  createEventBus(name: string, description?: string): EventBus {
    if (this.buses.has(name))
      throw EventBridgeError.resourceAlreadyExists(`Event bus ${name} already exists.`);
    if (!/^[/.\-_A-Za-z0-9]{1,256}$/.test(name) || name.startsWith('aws.')) {
      throw EventBridgeError.validation(`Event bus name ${name} is not valid.`);
    }
    const now = Date.now();
    const bus: EventBus = {
      name,
      arn: this.busArn(name),
      createdAt: now,
      lastModifiedAt: now,
      rules: new Map(),
    };
    if (description !== undefined) bus.description = description;
    this.buses.set(name, bus);
    return bus;
  }

  /** Finds a bus by name or ARN; no name means the default bus. */
  findBus(ref: string | undefined): EventBus | undefined {
    if (ref === undefined || ref === '') return this.buses.get(DEFAULT_BUS);
    if (ref.startsWith('arn:')) {
      const name = ref.split(':event-bus/')[1];
      const bus = name === undefined ? undefined : this.buses.get(name);
      return bus?.arn === ref ? bus : undefined;
    }
    return this.buses.get(ref);
  }

  bus(ref: string | undefined): EventBus {
    const bus = this.findBus(ref);
    if (!bus) throw EventBridgeError.resourceNotFound(`Event bus ${ref} does not exist.`);
    return bus;
  }

  listEventBuses(namePrefix = ''): EventBus[] {
    return [...this.buses.values()].filter((bus) => bus.name.startsWith(namePrefix));
  }

  deleteEventBus(name: string): void {
    if (name === DEFAULT_BUS) throw EventBridgeError.validation('Cannot delete event bus default.');
    const bus = this.buses.get(name);
    // DeleteEventBus is idempotent in EventBridge: a missing bus is not an error.
    if (!bus) return;
    for (const rule of bus.rules.values()) clearTimeout(rule.timer);
    this.buses.delete(name);
  }

  // ---- rules --------------------------------------------------------------------------------

  putRule(input: PutRuleInput): Rule {
    const bus = this.bus(input.eventBusName);
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(input.name))
      throw EventBridgeError.validation(`Rule name ${input.name} is not valid.`);
    if (!input.eventPattern && !input.scheduleExpression) {
      throw EventBridgeError.validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    }
    if (input.scheduleExpression && bus.name !== DEFAULT_BUS) {
      throw EventBridgeError.validation('ScheduleExpression is supported only on the default event bus.');
    }
    const pattern = input.eventPattern ? toPattern(input.eventPattern) : undefined;
    let schedule: Schedule | undefined;
    try {
      schedule = input.scheduleExpression ? parseScheduleExpression(input.scheduleExpression) : undefined;
    } catch (error) {
      if (error instanceof InvalidScheduleExpressionError) throw EventBridgeError.validation(error.message);
      throw error;
    }
    const existing = bus.rules.get(input.name);
    const rule: Rule = {
      name: input.name,
      arn: this.ruleArn(bus.name, input.name),
      busName: bus.name,
      state: input.state ?? 'ENABLED',
      targets: existing?.targets ?? new Map(),
      createdAt: existing?.createdAt ?? Date.now(),
    };
    if (input.eventPattern && pattern) {
      rule.eventPattern = input.eventPattern;
      rule.pattern = pattern;
    }
    if (input.scheduleExpression && schedule) {
      rule.scheduleExpression = input.scheduleExpression;
      rule.schedule = schedule;
    }
    if (input.description !== undefined) rule.description = input.description;
    if (input.roleArn !== undefined) rule.roleArn = input.roleArn;
    if (existing) clearTimeout(existing.timer);
    bus.rules.set(rule.name, rule);
    this.armSchedule(rule);
    return rule;
  }

  rule(name: string, busRef?: string): Rule {
    const bus = this.bus(busRef);
    const rule = bus.rules.get(name);
    if (!rule)
      throw EventBridgeError.resourceNotFound(`Rule ${name} does not exist on EventBus ${bus.name}.`);
    return rule;
  }

  listRules(busRef?: string, namePrefix = ''): Rule[] {
    return [...this.bus(busRef).rules.values()].filter((rule) => rule.name.startsWith(namePrefix));
  }

  /** Rules on the bus with a target of this ARN (ListRuleNamesByTarget). */
  ruleNamesByTarget(targetArn: string, busRef?: string): string[] {
    return this.listRules(busRef)
      .filter((rule) => [...rule.targets.values()].some((target) => target.Arn === targetArn))
      .map((rule) => rule.name);
  }

  deleteRule(name: string, busRef?: string, force = false): void {
    const bus = this.bus(busRef);
    const rule = bus.rules.get(name);
    if (!rule) return;
    if (rule.targets.size > 0 && !force)
      throw EventBridgeError.validation("Rule can't be deleted since it has targets.");
    clearTimeout(rule.timer);
    bus.rules.delete(name);
  }

  setRuleState(name: string, busRef: string | undefined, state: 'ENABLED' | 'DISABLED'): void {
    const rule = this.rule(name, busRef);
    rule.state = state;
    clearTimeout(rule.timer);
    this.armSchedule(rule);
  }

  putTargets(
    ruleName: string,
    busRef: string | undefined,
    targets: readonly RuleTarget[],
  ): Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }> {
    const rule = this.rule(ruleName, busRef);
    const newIds = targets.map((target) => target.Id).filter((id) => !rule.targets.has(id));
    if (rule.targets.size + new Set(newIds).size > MAX_TARGETS_PER_RULE) {
      throw EventBridgeError.limitExceeded(
        `The requested resource exceeds the maximum number allowed (${MAX_TARGETS_PER_RULE} targets per rule).`,
      );
    }
    const failed: Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }> = [];
    for (const target of targets) {
      validateTarget(target);
      rule.targets.set(target.Id, { ...target });
    }
    return failed;
  }

  removeTargets(
    ruleName: string,
    busRef: string | undefined,
    ids: readonly string[],
  ): Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }> {
    const rule = this.rule(ruleName, busRef);
    for (const id of ids) rule.targets.delete(id);
    return [];
  }

  // ---- events -------------------------------------------------------------------------------

  /** PutEvents: validates each entry on its own, archives and routes the good ones. */
  putEvents(entries: readonly PutEventsEntry[]): PutEventsResultEntry[] {
    if (entries.length < 1 || entries.length > 10) {
      throw EventBridgeError.validation(
        "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10",
      );
    }
    const totalSize = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
    if (totalSize > MAX_PUT_EVENTS_BYTES) {
      throw EventBridgeError.validation(
        `Total size of the entries in the request is over the limit (${MAX_PUT_EVENTS_BYTES} bytes).`,
      );
    }
    return entries.map((entry) => this.injectedPutEventsError(entry) ?? this.putEntry(entry));
  }

  /** Puts an event from an AWS service (e.g. aws.states) on a bus, skipping the "aws." source check. */
  putServiceEvent(
    busRef: string | undefined,
    event: Omit<EventEnvelope, 'version' | 'id' | 'account' | 'region'>,
  ): EventEnvelope {
    const bus = this.bus(busRef);
    const envelope: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      account: this.accountId,
      region: this.region,
      ...event,
    };
    this.ingest(bus, envelope);
    return envelope;
  }

  /** Tests a pattern against an event (TestEventPattern). */
  testEventPattern(eventPattern: string, event: unknown): boolean {
    return matchesEventPattern(toPattern(eventPattern), event);
  }

  // ---- fault injection and observation -----------------------------------------------------

  /** Makes deliveries to a rule's targets (one target, or all) fail; returns its removal. */
  failDeliveries(match: {
    ruleName: string;
    eventBusName?: string;
    targetId?: string;
    errorCode?: string;
    errorMessage?: string;
    retryable?: boolean;
  }): () => void {
    const ruleArn = this.ruleArn(match.eventBusName ?? DEFAULT_BUS, match.ruleName);
    return this.addDeliveryFault((rule, target) =>
      rule.arn === ruleArn && (match.targetId === undefined || match.targetId === target.Id)
        ? new TargetDeliveryError(
            match.errorCode ?? 'NO_PERMISSIONS',
            match.errorMessage ?? 'Delivery denied by an injected fault',
            match.retryable ?? true,
          )
        : undefined,
    );
  }

  /** Refuses matching PutEvents entries (partial failures); returns its removal. */
  addPutEventsFault(fault: PutEventsFault): () => void {
    this.putEventsFaults.push(fault);
    return () => {
      const index = this.putEventsFaults.indexOf(fault);
      if (index >= 0) this.putEventsFaults.splice(index, 1);
    };
  }

  addDeliveryFault(fault: DeliveryFault): () => void {
    return this.delivery.addFault(fault);
  }

  deliveryCounts(): DeliveryCounts[] {
    return this.delivery.deliveryCounts();
  }

  /**
   * Delivers the events a previous run accepted and had not delivered to their targets yet (call once
   * the targets exist again); returns how many deliveries were resumed.
   */
  resumeDeliveries(): number {
    return this.delivery.resumeDeliveries();
  }

  /** Events on their way to a rule target (0: every event put so far has reached its targets). */
  pendingDeliveries(): number {
    return this.delivery.pendingDeliveries();
  }

  close(): void {
    this.closed = true;
    for (const bus of this.buses.values()) {
      for (const rule of bus.rules.values()) clearTimeout(rule.timer);
    }
    this.delivery.close();
    this.archives.close();
  }

  // ---- private ------------------------------------------------------------------------------

  private injectedPutEventsError(entry: PutEventsEntry): PutEventsResultEntry | undefined {
    for (const fault of this.putEventsFaults) {
      const error = fault(entry);
      if (error) return error;
    }
    return undefined;
  }

  private putEntry(entry: PutEventsEntry): PutEventsResultEntry {
    const invalid = (message: string) => ({ ErrorCode: 'InvalidArgument', ErrorMessage: message });
    if (!entry.Source)
      return invalid('Parameter Source is not valid. Reason: Source is a required argument.');
    if (!entry.DetailType)
      return invalid('Parameter DetailType is not valid. Reason: DetailType is a required argument.');
    if (entry.Detail === undefined)
      return invalid('Parameter Detail is not valid. Reason: Detail is a required argument.');
    if (entry.Source.startsWith('aws.')) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const bus = this.findBus(entry.EventBusName);
    if (!bus)
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${entry.EventBusName} does not exist.`,
      };
    const envelope = buildEnvelope({
      source: entry.Source,
      detailType: entry.DetailType,
      detail: detail as Record<string, unknown>,
      resources: entry.Resources ?? [],
      time: entry.Time,
      account: this.accountId,
      region: this.region,
    });
    this.ingest(bus, envelope);
    return { EventId: envelope.id };
  }

  private ingest(bus: EventBus, event: EventEnvelope): void {
    this.archives.record(bus.arn, event);
    this.route(bus, event, undefined);
  }

  /** Sends the event to every enabled rule of the bus whose pattern matches (optionally only some rules). */
  private route(bus: EventBus, event: EventEnvelope, onlyRuleArns: readonly string[] | undefined): void {
    if (this.closed) return;
    for (const rule of bus.rules.values()) {
      if (rule.state === 'DISABLED' || !rule.pattern) continue;
      if (onlyRuleArns && !onlyRuleArns.includes(rule.arn)) continue;
      if (!matchesEventPattern(rule.pattern, event)) continue;
      this.deliverToRule(rule, event);
    }
  }

  private deliverToRule(rule: Rule, event: EventEnvelope): void {
    const deliveringRule: DeliveringRule = { name: rule.name, arn: rule.arn };
    for (const target of rule.targets.values()) this.delivery.schedule(deliveringRule, target, event);
  }

  private async deliverToArn(arn: string, input: string, event: EventEnvelope): Promise<void> {
    const service = arn.split(':')[2];
    if (service === 'sqs') {
      if (!this.sqs.findQueue(arn))
        throw new TargetDeliveryError('RESOURCE_NOT_FOUND', `Queue ${arn} does not exist.`, false);
      try {
        this.sqs.sendMessage(arn, { body: input });
      } catch (error) {
        throw new TargetDeliveryError(
          'SDK_CLIENT_ERROR',
          error instanceof Error ? error.message : String(error),
          false,
        );
      }
      return;
    }
    if (service === 'events' && arn.includes(':event-bus/')) {
      const bus = this.findBus(arn);
      if (!bus)
        throw new TargetDeliveryError('RESOURCE_NOT_FOUND', `Event bus ${arn} does not exist.`, false);
      // Bus-to-bus delivery forwards the event itself, not a transformed input.
      this.ingest(bus, event);
      return;
    }
    if (!this.deliverToOther) {
      throw new TargetDeliveryError(
        'UNSUPPORTED_TARGET',
        `The local emulator cannot deliver to ${arn}.`,
        false,
      );
    }
    await this.deliverToOther(arn, input, event);
  }

  private armSchedule(rule: Rule): void {
    if (!rule.schedule || rule.state === 'DISABLED' || this.closed) return;
    const schedule = rule.schedule;
    const now = Date.now();
    // A schedule keeps its cadence across a restart: a rate counts from its last firing (one missed
    // while the cloud was down fires at once, once), a cron from the next matching minute.
    const lastFiredAt = this.store?.get<{ lastFiredAt: number }>(SCHEDULE_RECORD, rule.arn)?.lastFiredAt;
    const from = lastFiredAt !== undefined && schedule.kind === 'rate' ? Math.min(now, lastFiredAt) : now;
    const delay = Math.max(0, nextFireTime(schedule, from) - now);
    if (!Number.isFinite(delay)) return;
    rule.timer = setTimeout(
      () => {
        const event = buildEnvelope({
          source: 'aws.events',
          detailType: 'Scheduled Event',
          detail: {},
          resources: [rule.arn],
          account: this.accountId,
          region: this.region,
        });
        this.store?.put(SCHEDULE_RECORD, rule.arn, { lastFiredAt: Date.now() });
        this.deliverToRule(rule, event);
        this.armSchedule(rule);
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    // A schedule alone must not keep the process alive.
    rule.timer.unref();
  }
}

function toPattern(eventPattern: string): EventPattern {
  try {
    return parseEventPattern(eventPattern);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) throw EventBridgeError.invalidEventPattern(error.message);
    throw error;
  }
}

function validateTarget(target: RuleTarget): void {
  if (!target.Id || !/^[.\-_A-Za-z0-9]{1,64}$/.test(target.Id))
    throw EventBridgeError.validation(`Target Id ${target.Id} is not valid.`);
  if (!target.Arn?.startsWith('arn:'))
    throw EventBridgeError.validation(`Target Arn ${target.Arn} is not valid.`);
  const shapers = [target.Input, target.InputPath, target.InputTransformer].filter(
    (value) => value !== undefined,
  );
  if (shapers.length > 1) {
    throw EventBridgeError.validation('Only one of Input, InputPath, or InputTransformer must be provided.');
  }
  if (target.Input !== undefined) {
    try {
      JSON.parse(target.Input);
    } catch {
      throw EventBridgeError.validation(`Target ${target.Id}: Input is not valid JSON.`);
    }
  }
  try {
    if (target.InputPath !== undefined) parseJsonPath(target.InputPath);
    for (const path of Object.values(target.InputTransformer?.InputPathsMap ?? {})) parseJsonPath(path);
  } catch (error) {
    throw EventBridgeError.validation(
      `Target ${target.Id}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (target.InputTransformer !== undefined && typeof target.InputTransformer.InputTemplate !== 'string') {
    throw EventBridgeError.validation(`Target ${target.Id}: InputTransformer.InputTemplate is required.`);
  }
  const dlqArn = target.DeadLetterConfig?.Arn;
  if (dlqArn !== undefined && !dlqArn.startsWith('arn:aws:sqs:')) {
    throw EventBridgeError.validation(`Target ${target.Id}: DeadLetterConfig.Arn must be an SQS queue ARN.`);
  }
}
