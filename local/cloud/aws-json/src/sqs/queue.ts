import type { MessageAttributes } from './message-attributes';
import { defaultQueueAttributes, parseRedrivePolicy, type RedrivePolicy } from './queue-attributes';

/** A message as the queue holds it. Copies made by a 'duplicate' fault share the messageId, not the seq. */
export interface StoredMessage {
  seq: number;
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: MessageAttributes;
  systemAttributes: MessageAttributes;
  senderId: string;
  sentAt: number;
  /** When the message may next be received (delay, visibility timeout or an injected delay). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Set once a redrive moved the message to a dead-letter queue: where it came from. */
  deadLetterSourceArn?: string;
  /** Held back by a 'hold' fault until releaseHeld (visibleAt is +Infinity meanwhile). */
  held?: boolean;
}

export type MessageState = 'visible' | 'in-flight' | 'delayed';

export function messageState(message: StoredMessage, now: number): MessageState {
  if (message.held) return 'delayed';
  if (message.visibleAt <= now) return 'visible';
  return message.receiveCount > 0 ? 'in-flight' : 'delayed';
}

/** One standard queue: its attributes, its messages and the long polls waiting on it. */
export class Queue {
  readonly attributes = defaultQueueAttributes();
  readonly tags: Record<string, string> = {};
  readonly messages = new Map<number, StoredMessage>();
  /** Long polls waiting for a message; each is called again whenever the queue may have changed. */
  readonly waiters = new Set<() => void>();
  lastModifiedAt: number;
  deleted = false;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly createdAt: number,
  ) {
    this.lastModifiedAt = createdAt;
  }

  numberAttribute(name: string): number {
    return Number(this.attributes.get(name) ?? '0');
  }

  get visibilityTimeoutSeconds(): number {
    return this.numberAttribute('VisibilityTimeout');
  }

  get delaySeconds(): number {
    return this.numberAttribute('DelaySeconds');
  }

  get retentionSeconds(): number {
    return this.numberAttribute('MessageRetentionPeriod');
  }

  get receiveWaitSeconds(): number {
    return this.numberAttribute('ReceiveMessageWaitTimeSeconds');
  }

  get maximumMessageSize(): number {
    return this.numberAttribute('MaximumMessageSize');
  }

  get redrivePolicy(): RedrivePolicy | undefined {
    const raw = this.attributes.get('RedrivePolicy');
    return raw ? parseRedrivePolicy(raw) : undefined;
  }

  /** Drops messages older than the retention period (SQS counts from the original send); returns them. */
  expire(now: number): StoredMessage[] {
    const oldestAllowed = now - this.retentionSeconds * 1000;
    const expired: StoredMessage[] = [];
    for (const [seq, message] of this.messages) {
      if (message.sentAt < oldestAllowed) {
        this.messages.delete(seq);
        expired.push(message);
      }
    }
    return expired;
  }

  /** Wakes every long poll so it looks again; deferred so a sender finishes its own work first. */
  notifyWaiters(): void {
    if (this.waiters.size === 0) return;
    queueMicrotask(() => {
      for (const waiter of [...this.waiters]) waiter();
    });
  }

  /** The earliest future moment a message becomes receivable, for a long poll's next look. */
  nextVisibleAt(now: number): number | undefined {
    let next: number | undefined;
    for (const message of this.messages.values()) {
      if (message.visibleAt > now && (next === undefined || message.visibleAt < next))
        next = message.visibleAt;
    }
    return next;
  }

  counts(now: number): { visible: number; inFlight: number; delayed: number; oldestSentAt?: number } {
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    let oldestSentAt: number | undefined;
    for (const message of this.messages.values()) {
      const state = messageState(message, now);
      if (state === 'visible') visible++;
      else if (state === 'in-flight') inFlight++;
      else delayed++;
      if (oldestSentAt === undefined || message.sentAt < oldestSentAt) oldestSentAt = message.sentAt;
    }
    return { visible, inFlight, delayed, oldestSentAt };
  }
}
