import { randomUUID } from 'node:crypto';
import type { DurableStore } from '../shared/durable-store';
import type { SqsBackend } from '../sqs/sqs-backend';
import type { EventEnvelope } from './event-envelope';
import { TargetDeliveryError } from './eventbridge-errors';
import { type InputTransformer, renderTargetInput } from './target-input';

/** A rule target as PutTargets stores it (extra fields such as SqsParameters are kept as given). */
export interface RuleTarget {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
  DeadLetterConfig?: { Arn?: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  [field: string]: unknown;
}

export interface DeliveringRule {
  name: string;
  arn: string;
}

/** Sends one rendered input to a target ARN; throws TargetDeliveryError when the target refuses it. */
export type TargetDeliverer = (targetArn: string, input: string, event: EventEnvelope) => Promise<void>;

/** A fault hook: returns an error to make this delivery attempt fail, or undefined to let it through. */
export type DeliveryFault = (
  rule: DeliveringRule,
  target: RuleTarget,
  event: EventEnvelope,
) => TargetDeliveryError | undefined;

/** Counts per rule target, for the console and tests. */
export interface DeliveryCounts {
  ruleArn: string;
  targetId: string;
  delivered: number;
  retried: number;
  deadLettered: number;
  /** Failed with no (working) dead-letter queue: lost, as in EventBridge. */
  dropped: number;
}

const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185;
const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400;

/** EventBridge's back-off, compressed in time so a local run reaches the dead-letter queue quickly. */
export const compressedRetryDelayMs = (attempt: number): number => Math.min(20 * 2 ** attempt, 1_000);

/** The store's record kind for an event accepted and not yet delivered to a target, keyed by a delivery id. */
const DELIVERY_RECORD = 'eventbridge-delivery';

/** A delivery as the store keeps it: enough to attempt it again after a restart. */
interface StoredDelivery {
  rule: DeliveringRule;
  target: RuleTarget;
  event: EventEnvelope;
  attempt: number;
  firstAttemptAt: number;
}

/**
 * Delivers events to rule targets with EventBridge's retry policy and dead-letter queues. With a
 * store, each delivery is written before PutEvents answers and removed once it is delivered,
 * dead-lettered or dropped: EventBridge does not lose an event it accepted, so a restart delivers
 * (resumeDeliveries) what a kill interrupted; at least once, as EventBridge does.
 */
export class TargetDelivery {
  private readonly faults: DeliveryFault[] = [];
  private readonly counts = new Map<string, DeliveryCounts>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Deliveries scheduled and not yet delivered, dead-lettered or dropped (retries included). */
  private pending = 0;
  private closed = false;

  constructor(
    private readonly sqs: SqsBackend,
    private readonly deliverer: TargetDeliverer,
    private readonly retryDelayMs: (attempt: number) => number = compressedRetryDelayMs,
    private readonly store?: DurableStore,
  ) {}

  /** Starts delivery on a later turn: PutEvents returns before any target sees the event. */
  schedule(rule: DeliveringRule, target: RuleTarget, event: EventEnvelope): void {
    if (this.closed) return;
    const delivery: StoredDelivery = {
      rule,
      target: { ...target },
      event,
      attempt: 0,
      firstAttemptAt: Date.now(),
    };
    const id = randomUUID();
    this.store?.put(DELIVERY_RECORD, id, delivery);
    this.pending++;
    setImmediate(() => void this.attempt(id, delivery));
  }

  /**
   * Attempts again the deliveries a previous run left unfinished (call once their targets exist
   * again), each from the attempt it had reached; returns how many.
   */
  resumeDeliveries(): number {
    if (!this.store || this.closed) return 0;
    const unfinished = this.store.list<StoredDelivery>(DELIVERY_RECORD);
    for (const { key, value } of unfinished) {
      this.pending++;
      setImmediate(() => void this.attempt(key, value));
    }
    return unfinished.length;
  }

  /**
   * Events on their way to a target now (waiting for their turn or for a retry): a test knows every
   * event put so far has reached its targets when this is 0.
   */
  pendingDeliveries(): number {
    return this.pending;
  }

  addFault(fault: DeliveryFault): () => void {
    this.faults.push(fault);
    return () => {
      const index = this.faults.indexOf(fault);
      if (index >= 0) this.faults.splice(index, 1);
    };
  }

  deliveryCounts(): DeliveryCounts[] {
    return [...this.counts.values()].map((counts) => ({ ...counts }));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async attempt(id: string, delivery: StoredDelivery): Promise<void> {
    if (this.closed) return;
    const { rule, target, event, attempt, firstAttemptAt } = delivery;
    const counts = this.countsFor(rule, target);
    try {
      const input = renderTargetInput(target, event as unknown as Record<string, unknown>, {
        ruleArn: rule.arn,
        ruleName: rule.name,
        ingestionTime: event.time,
      });
      for (const fault of this.faults) {
        const error = fault(rule, target, event);
        if (error) throw error;
      }
      await this.deliverer(target.Arn, input, event);
      counts.delivered++;
      this.finish(id);
    } catch (caught) {
      const error =
        caught instanceof TargetDeliveryError
          ? caught
          : new TargetDeliveryError(
              'SDK_CLIENT_ERROR',
              caught instanceof Error ? caught.message : String(caught),
              true,
            );
      const maxAttempts = target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS;
      const maxAgeMs =
        (target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000;
      const exhausted = !error.retryable
        ? undefined
        : attempt >= maxAttempts
          ? 'MaximumRetryAttempts'
          : Date.now() - firstAttemptAt >= maxAgeMs
            ? 'MaximumEventAgeInSeconds'
            : null;
      if (exhausted === null) {
        counts.retried++;
        const next = { ...delivery, attempt: attempt + 1 };
        this.store?.put(DELIVERY_RECORD, id, next);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          void this.attempt(id, next);
        }, this.retryDelayMs(attempt));
        this.timers.add(timer);
        return;
      }
      this.deadLetter(rule, target, event, error, attempt, exhausted, counts);
      this.finish(id);
    }
  }

  /** The delivery is over (delivered, dead-lettered or dropped): nothing to resume after a restart. */
  private finish(id: string): void {
    this.pending--;
    this.store?.delete(DELIVERY_RECORD, id);
  }

  /** Sends the original event to the target's DLQ with the attributes EventBridge sets. */
  private deadLetter(
    rule: DeliveringRule,
    target: RuleTarget,
    event: EventEnvelope,
    error: TargetDeliveryError,
    retryAttempts: number,
    exhaustedCondition: string | undefined,
    counts: DeliveryCounts,
  ): void {
    const dlqArn = target.DeadLetterConfig?.Arn;
    if (!dlqArn || !this.sqs.findQueue(dlqArn)) {
      counts.dropped++;
      return;
    }
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    const messageAttributes = {
      RULE_ARN: text(rule.arn),
      TARGET_ARN: text(target.Arn),
      ERROR_CODE: text(error.errorCode),
      ERROR_MESSAGE: text(error.message || error.errorCode),
      RETRY_ATTEMPTS: { DataType: 'Number', StringValue: String(retryAttempts) },
      ...(exhaustedCondition ? { EXHAUSTED_RETRY_CONDITION: text(exhaustedCondition) } : {}),
    };
    try {
      this.sqs.sendMessage(dlqArn, { body: JSON.stringify(event), messageAttributes });
      counts.deadLettered++;
    } catch {
      counts.dropped++;
    }
  }

  private countsFor(rule: DeliveringRule, target: RuleTarget): DeliveryCounts {
    const key = `${rule.arn}|${target.Id}`;
    let counts = this.counts.get(key);
    if (!counts) {
      counts = {
        ruleArn: rule.arn,
        targetId: target.Id,
        delivered: 0,
        retried: 0,
        deadLettered: 0,
        dropped: 0,
      };
      this.counts.set(key, counts);
    }
    return counts;
  }
}
