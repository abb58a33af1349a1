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
  /**
   * Messages an earlier cloud on the same data folder left in its queues, handed over at its stop
   * (`carry`): counted once in `sent`, and here so a reader sees the report spans a restart.
   */
  carriedIn?: number;
}

/** A message still in a queue (waiting, in flight, delayed, held or dead-lettered) when its cloud stopped. */
export interface CarriedMessage {
  queueName: string;
  messageId: string;
  body: string;
}

/** What a stopped cloud's audit hands to the audit of the next cloud started on the same data folder. */
export interface AuditHandover {
  /** Every message it sent that was still somewhere in a queue at the stop: the next cloud must account for each. */
  messages: CarriedMessage[];
  /** Its report at the stop (its own carried-in messages included), summed into the next cloud's. */
  report: MessageAuditReport;
}

/** A handover was asked of a cloud that is still running: messages would still move after it. */
export class AuditStillOpenError extends Error {
  readonly retryable = false;
  constructor() {
    super('hand over the message audit of a stopped cloud (after cloud.close()), not of a running one');
    this.name = 'AuditStillOpenError';
  }
}

interface Tracked {
  queueName: string;
  body: string;
  consumed: boolean;
  /** A redrive gave it a new id: follow that one instead. */
  movedTo?: string;
}

/** Where the messages were when the cloud stopped: read once at close, as the queues go away after. */
interface QueuesAtStop {
  present: Map<string, string>;
  deadLetterQueues: Set<string>;
  eventDeliveriesDropped: number;
}

/**
 * Accounts for every message from the moment the cloud starts: each one sent is later deleted by a
 * consumer, still waiting in a queue, or kept in a dead-letter queue; anything else is lost.
 *
 * Across a restart on the same data folder (the chaos soak's), the stopped cloud's audit is handed
 * over (`handover()`) and the new cloud's audit carries it (`carry()`): every message still in a queue
 * at the stop counts as sent in the new cloud, so the invariant "every message sent was consumed or
 * dead-lettered" holds over both clouds, and a message the restart failed to bring back is lost.
 */
export class MessageAudit {
  private readonly messages = new Map<string, Tracked>();
  private readonly stops: Array<() => void> = [];
  private atStop: QueuesAtStop | undefined;
  /**
   * Deletions and moves of messages this audit never saw sent: a restarted cloud's consumers may take a
   * resumed message before the test carries the handover in, so what happened to it is kept until then.
   */
  private readonly unseenFates = new Map<string, { consumed: boolean; movedTo?: string }>();
  /** The earlier clouds' report (as handed over), less the messages carried into this one. */
  private earlier: MessageAuditReport | undefined;

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
    const { present, deadLetterQueues, eventDeliveriesDropped } = this.queuesNow();
    const report: MessageAuditReport = {
      sent: this.messages.size,
      consumed: 0,
      pending: 0,
      deadLettered: 0,
      lost: [],
      eventDeliveriesDropped,
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
    const earlier = this.earlier;
    if (!earlier) return report;
    return {
      sent: earlier.sent + report.sent,
      consumed: earlier.consumed + report.consumed,
      pending: report.pending,
      deadLettered: report.deadLettered,
      lost: [...earlier.lost, ...report.lost],
      eventDeliveriesDropped: earlier.eventDeliveriesDropped + report.eventDeliveriesDropped,
      carriedIn: earlier.carriedIn ?? 0,
    };
  }

  /**
   * What the next cloud on this data folder must account for: every message still in a queue at the
   * stop, and this report. Only once the cloud is closed (close() reads where every message is).
   */
  handover(): AuditHandover {
    if (!this.atStop) throw new AuditStillOpenError();
    const { present } = this.atStop;
    const messages: CarriedMessage[] = [];
    for (const [messageId, tracked] of this.messages) {
      if (tracked.movedTo !== undefined || tracked.consumed) continue;
      const queueName = present.get(messageId);
      if (queueName !== undefined) messages.push({ queueName, messageId, body: tracked.body });
    }
    return { messages, report: this.report() };
  }

  /**
   * Takes over a stopped cloud's audit (this cloud resumed its data folder): its messages still in a
   * queue count as sent here, its report is summed into this one's. A carried message this cloud
   * already consumed or redrove (its consumers start before the test calls this) is counted so.
   */
  carry(handover: AuditHandover): void {
    const { messages, report } = handover;
    for (const message of messages) {
      if (this.messages.has(message.messageId)) continue;
      const fate = this.unseenFates.get(message.messageId);
      this.messages.set(message.messageId, {
        queueName: message.queueName,
        body: message.body,
        consumed: fate?.consumed ?? false,
        ...(fate?.movedTo === undefined ? {} : { movedTo: fate.movedTo }),
      });
      this.unseenFates.delete(message.messageId);
    }
    const before = this.earlier;
    // The carried messages are counted as sent here: take them out of the earlier clouds' sent, and
    // their pending/dead-lettered (where they were at the stop) are this cloud's to report now.
    this.earlier = {
      sent: (before?.sent ?? 0) + report.sent - messages.length,
      consumed: (before?.consumed ?? 0) + report.consumed,
      pending: 0,
      deadLettered: 0,
      lost: [...(before?.lost ?? []), ...report.lost],
      eventDeliveriesDropped: (before?.eventDeliveriesDropped ?? 0) + report.eventDeliveriesDropped,
      carriedIn: (before?.carriedIn ?? 0) + messages.length,
    };
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
    const { present, deadLetterQueues } = this.queuesNow();
    const queueName = present.get(id);
    if (queueName === undefined) return 'lost';
    return deadLetterQueues.has(queueName) ? 'dead-lettered' : 'pending';
  }

  /**
   * Stops listening and notes where every message is at that moment (the embedded cloud closes the
   * injector after its functions and before its queues), so report() and handover() still answer for
   * a stopped cloud.
   */
  close(): void {
    if (this.atStop) return;
    for (const stop of this.stops.splice(0)) stop();
    this.atStop = this.readQueues();
  }

  private track(queueName: string, messageId: string, body: string): void {
    if (!this.messages.has(messageId)) this.messages.set(messageId, { queueName, body, consumed: false });
  }

  private onLifecycle(event: MessageLifecycleEvent): void {
    const tracked = this.messages.get(event.messageId);
    const unseen = () => {
      const fate = this.unseenFates.get(event.messageId) ?? { consumed: false };
      this.unseenFates.set(event.messageId, fate);
      return fate;
    };
    if (event.type === 'deleted') {
      // A duplicate copy shares the id: consuming either copy consumes the message.
      if (tracked) tracked.consumed = true;
      else unseen().consumed = true;
      return;
    }
    if (tracked) tracked.movedTo = event.toMessageId;
    else unseen().movedTo = event.toMessageId;
    this.track(event.toQueueName, event.toMessageId, tracked?.body ?? '');
  }

  private queuesNow(): QueuesAtStop {
    return this.atStop ?? this.readQueues();
  }

  private readQueues(): QueuesAtStop {
    return {
      present: this.presentMessages(),
      deadLetterQueues: this.deadLetterQueueNames(),
      eventDeliveriesDropped: this.events.deliveryCounts().reduce((sum, c) => sum + c.dropped, 0),
    };
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
