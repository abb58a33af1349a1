import type { DeliveryCandidate, DeliveryDecision, SqsBackend } from '../../aws-json/src';
import { type FaultRecord, matchesName, type NameMatch } from './fault-record';
import { InvalidFaultOptionsError } from './fault-trigger';

/** Which SQS messages a delivery fault applies to. */
export interface QueueMessageMatch {
  /** Queue name, exactly or by pattern (default: every queue). */
  queue?: NameMatch;
  /** The EventBridge detail-type of the event the message carries. */
  detailType?: string;
  /** Any other condition on the message. */
  where?: (message: { queueName: string; messageId: string; body: string; receiveCount: number }) => boolean;
}

type QueueRule =
  | { kind: 'duplicate'; record: FaultRecord; match: QueueMessageMatch; seen: Set<string> }
  | { kind: 'delay'; record: FaultRecord; match: QueueMessageMatch; seen: Set<string>; delayMs: number }
  | { kind: 'hold'; record: FaultRecord; match: QueueMessageMatch; seen: Set<string>; hold: MessageHold };

/** Messages held back on one or more queues until released (reordering). */
export class MessageHold {
  private readonly held: Array<{ queueName: string; messageId: string }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sqs: SqsBackend,
    private readonly record: FaultRecord,
    /** Release automatically, in reverse order, once this many are held (undefined: only by hand). */
    private readonly window: number | undefined,
    /** ...or this long after the first was held, so a window never blocks a queue for good. */
    private readonly maxHoldMs: number,
  ) {}

  /** Held and not yet released, in the order they were held. */
  messageIds(): string[] {
    return this.held.map((h) => h.messageId);
  }

  add(queueName: string, messageId: string): void {
    this.held.push({ queueName, messageId });
    if (this.window === undefined) return;
    if (this.held.length >= this.window) {
      // Not inside the receive that is holding it: release on the next turn.
      setImmediate(() => this.release('reverse'));
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.release('reverse'), this.maxHoldMs);
      this.timer.unref();
    }
  }

  /**
   * Puts the held messages back, in reverse order, in the order given, or as held ('fifo').
   * Each one released in a different position than it was held in counts as reordered.
   */
  release(order: 'reverse' | 'fifo' | readonly string[] = 'reverse'): number {
    clearTimeout(this.timer);
    this.timer = undefined;
    const held = this.held.splice(0);
    const ids = held.map((h) => h.messageId);
    const ordered = order === 'reverse' ? [...ids].reverse() : order === 'fifo' ? ids : [...order];
    let released = 0;
    for (const [position, messageId] of ordered.entries()) {
      const queueName = held.find((h) => h.messageId === messageId)?.queueName;
      if (queueName === undefined || !this.sqs.findQueue(queueName)) continue;
      released += this.sqs.releaseHeld(queueName, [messageId]);
      if (ids[position] !== messageId)
        this.record.details.reordered = (this.record.details.reordered ?? 0) + 1;
    }
    return released;
  }

  close(): void {
    clearTimeout(this.timer);
  }
}

/** SQS delivery faults (duplicate, delay, hold/reorder), behind one before-deliver hook of the emulator. */
export class QueueFaults {
  private readonly rules: QueueRule[] = [];

  constructor(private readonly sqs: SqsBackend) {
    sqs.addBeforeDeliverHook((queueName, message) => this.decide(queueName, message));
  }

  duplicate(record: FaultRecord, match: QueueMessageMatch): void {
    this.rules.push({ kind: 'duplicate', record, match, seen: new Set() });
  }

  delay(record: FaultRecord, match: QueueMessageMatch, delayMs: number): void {
    if (!(delayMs >= 0)) throw new InvalidFaultOptionsError(`delayMs ${delayMs} is not a duration`);
    this.rules.push({ kind: 'delay', record, match, seen: new Set(), delayMs });
  }

  hold(
    record: FaultRecord,
    match: QueueMessageMatch,
    window: number | undefined,
    maxHoldMs: number,
  ): MessageHold {
    if (window !== undefined && !(window >= 2))
      throw new InvalidFaultOptionsError('a reorder window holds at least 2 messages');
    const hold = new MessageHold(this.sqs, record, window, maxHoldMs);
    this.rules.push({ kind: 'hold', record, match, seen: new Set(), hold });
    return hold;
  }

  /** Puts back every message still held, in the order held, so nothing stays hidden. */
  releaseAll(): void {
    for (const rule of this.rules) if (rule.kind === 'hold') rule.hold.release('fifo');
  }

  close(): void {
    for (const rule of this.rules) if (rule.kind === 'hold') rule.hold.close();
  }

  private decide(queueName: string, message: DeliveryCandidate): DeliveryDecision | undefined {
    for (const rule of this.rules) {
      // Each message is considered once per rule: copies and redeliveries share its id.
      if (!rule.record.active || rule.seen.has(message.messageId)) continue;
      if (!matches(rule.match, queueName, message)) continue;
      rule.seen.add(message.messageId);
      if (!rule.record.trigger.fire()) continue;
      if (rule.kind === 'duplicate') return 'duplicate';
      if (rule.kind === 'delay') return { delayMs: rule.delayMs };
      rule.hold.add(queueName, message.messageId);
      return 'hold';
    }
    return undefined;
  }
}

function matches(match: QueueMessageMatch, queueName: string, message: DeliveryCandidate): boolean {
  if (!matchesName(match.queue, queueName)) return false;
  if (match.detailType !== undefined && detailTypeOf(message.body) !== match.detailType) return false;
  return (
    match.where?.({
      queueName,
      messageId: message.messageId,
      body: message.body,
      receiveCount: message.receiveCount,
    }) ?? true
  );
}

function detailTypeOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { 'detail-type'?: unknown };
    return typeof parsed['detail-type'] === 'string' ? parsed['detail-type'] : undefined;
  } catch {
    return undefined;
  }
}
