import type {
  EventBridgeBackend,
  MessageLifecycleEvent,
  PeekedMessage,
  SqsBackend,
} from '../../aws-json/src';

/** Where one sent message ended up. */
export type MessageFate = 'consumed' | 'pending' | 'dead-lettered' | 'lost';

export interface LostMessage {
  queueName: string;
  messageId: string;
  body: string;
}

export interface MessageAuditReport {
  /** Distinct messages sent to any queue (EventBridge targets and dead-letter sends included). */
  sent: number;
  consumed: number;
  /** Still in their queue (visible, in flight, delayed or held). */
  pending: number;
  /** In a dead-letter queue: kept for a redrive. */
  deadLettered: number;
  /** Neither consumed nor anywhere: lost. Must be empty. */
  lost: LostMessage[];
  /** EventBridge deliveries that failed with no dead-letter queue to keep them. */
  eventDeliveriesDropped: number;
}

interface Tracked {
  queueName: string;
  body: string;
  consumed: boolean;
  /** A redrive gave it a new id: follow that one instead. */
  movedTo?: string;
}

/**
 * Accounts for every message from the moment the cloud starts: each one sent is later deleted by a
 * consumer, still waiting in a queue, or kept in a dead-letter queue; anything else is lost.
 */
export class MessageAudit {
  private readonly messages = new Map<string, Tracked>();
  private readonly stops: Array<() => void> = [];

  constructor(
    private readonly sqs: SqsBackend,
    private readonly events: EventBridgeBackend,
  ) {
    this.stops.push(
      sqs.onSend((queueName, message) => this.track(queueName, message.messageId, message.body)),
      sqs.onLifecycle((event) => this.onLifecycle(event)),
    );
  }

  report(): MessageAuditReport {
    const present = this.presentMessages();
    const deadLetterQueues = this.deadLetterQueueNames();
    const report: MessageAuditReport = {
      sent: this.messages.size,
      consumed: 0,
      pending: 0,
      deadLettered: 0,
      lost: [],
      eventDeliveriesDropped: this.events.deliveryCounts().reduce((sum, c) => sum + c.dropped, 0),
    };
    for (const [messageId, tracked] of this.messages) {
      if (tracked.movedTo !== undefined) continue; // counted as the message it became
      if (tracked.consumed) {
        report.consumed++;
        continue;
      }
      const queueName = present.get(messageId);
      if (queueName === undefined)
        report.lost.push({ queueName: tracked.queueName, messageId, body: tracked.body });
      else if (deadLetterQueues.has(queueName)) report.deadLettered++;
      else report.pending++;
    }
    report.sent -= [...this.messages.values()].filter((t) => t.movedTo !== undefined).length;
    return report;
  }

  fateOf(messageId: string): MessageFate | undefined {
    let tracked = this.messages.get(messageId);
    let id = messageId;
    while (tracked?.movedTo !== undefined) {
      id = tracked.movedTo;
      tracked = this.messages.get(id);
    }
    if (!tracked) return undefined;
    if (tracked.consumed) return 'consumed';
    const queueName = this.presentMessages().get(id);
    if (queueName === undefined) return 'lost';
    return this.deadLetterQueueNames().has(queueName) ? 'dead-lettered' : 'pending';
  }

  close(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  private track(queueName: string, messageId: string, body: string): void {
    if (!this.messages.has(messageId)) this.messages.set(messageId, { queueName, body, consumed: false });
  }

  private onLifecycle(event: MessageLifecycleEvent): void {
    const tracked = this.messages.get(event.messageId);
    if (event.type === 'deleted') {
      // A duplicate copy shares the id: consuming either copy consumes the message.
      if (tracked) tracked.consumed = true;
      return;
    }
    if (tracked) tracked.movedTo = event.toMessageId;
    this.track(event.toQueueName, event.toMessageId, tracked?.body ?? '');
  }

  /** messageId → the queue holding it now. */
  private presentMessages(): Map<string, string> {
    const present = new Map<string, string>();
    for (const depth of this.sqs.listQueueDepths()) {
      const peeked: PeekedMessage[] = this.sqs.peekMessages(depth.name, Number.MAX_SAFE_INTEGER);
      for (const message of peeked) present.set(message.messageId, depth.name);
    }
    return present;
  }

  /** Queues named as a dead-letter queue by a redrive policy or by an EventBridge target. */
  private deadLetterQueueNames(): Set<string> {
    const arns = new Set<string>();
    for (const depth of this.sqs.listQueueDepths())
      if (depth.deadLetterTargetArn) arns.add(depth.deadLetterTargetArn);
    for (const bus of this.events.listEventBuses())
      for (const rule of bus.rules.values())
        for (const target of rule.targets.values())
          if (target.DeadLetterConfig?.Arn) arns.add(target.DeadLetterConfig.Arn);
    const names = new Set<string>();
    for (const arn of arns) {
      const queue = this.sqs.findQueue(arn);
      if (queue) names.add(queue.name);
    }
    return names;
  }
}
