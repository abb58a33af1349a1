import { randomUUID } from 'node:crypto';
import type { DurableStore } from '../shared/durable-store';
import type { BeforeDeliverHook, DeliveryCandidate, DeliveryDecision } from './delivery-faults';
import {
  type MessageAttributes,
  md5Hex,
  md5OfMessageAttributes,
  messageAttributesSize,
  selectMessageAttributes,
  serializeMessageAttributes,
} from './message-attributes';
import { MessageMoveTasks } from './message-move-tasks';
import { type MessageState, messageState, Queue, type StoredMessage } from './queue';
import {
  type COMPUTED_ATTRIBUTE_NAMES,
  isKnownAttributeName,
  validateQueueAttributes,
} from './queue-attributes';
import { SqsError } from './sqs-errors';

export interface SqsBackendOptions {
  region: string;
  accountId: string;
  /** Base of queue URLs (the emulator's URL); can be set later with setEndpoint. */
  endpoint?: string;
  /**
   * Keeps every message (in flight ones with their receive count and visibility deadline) on disk,
   * so a restarted backend finds them again when their queue is created anew (the deploy does).
   */
  store?: DurableStore;
}

/** The store's record kind for SQS messages, keyed `<queue name>/<seq>`. */
const MESSAGE_RECORD = 'sqs-message';

export interface SendMessageInput {
  body: string;
  delaySeconds?: number;
  messageAttributes?: MessageAttributes;
  systemAttributes?: MessageAttributes;
}

export interface SentMessage {
  messageId: string;
  md5OfMessageBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
}

export interface ReceiveMessagesInput {
  maxNumberOfMessages?: number;
  visibilityTimeoutSeconds?: number;
  /** Falls back to the queue's ReceiveMessageWaitTimeSeconds. */
  waitTimeSeconds?: number;
  systemAttributeNames?: readonly string[];
  messageAttributeNames?: readonly string[];
}

/** A message as ReceiveMessage returns it (JSON wire shape). */
export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: Record<string, Record<string, string>>;
}

/** A queue's depth for the local console and tests. */
export interface QueueDepth {
  name: string;
  url: string;
  arn: string;
  visible: number;
  inFlight: number;
  delayed: number;
  /** Age of the oldest message in the queue, in whole seconds (0 when empty). */
  oldestMessageAgeSeconds: number;
  deadLetterTargetArn?: string;
}

/** A message seen without receiving it. */
export interface PeekedMessage {
  messageId: string;
  body: string;
  messageAttributes: Record<string, Record<string, string>>;
  state: MessageState;
  receiveCount: number;
  sentTimestamp: number;
  visibleAt: number;
  deadLetterSourceArn?: string;
  /** Held back by a 'hold' fault until releaseHeld. */
  held?: boolean;
}

/** A message's fate, for tests that check nothing is lost. */
export type MessageLifecycleEvent =
  | { type: 'deleted'; queueName: string; messageId: string }
  | { type: 'moved'; queueName: string; messageId: string; toQueueName: string; toMessageId: string };

/** A long poll starting to wait on an empty queue, and its end (with how many messages it returns). */
export type LongPollEvent =
  | { type: 'waiting'; queueName: string }
  | { type: 'ended'; queueName: string; received: number; reason: LongPollEndReason };

/** Why a long poll ended: a message came, its wait time ran out, the caller went away, or shutdown. */
export type LongPollEndReason = 'messages' | 'wait-time-elapsed' | 'aborted' | 'closed' | 'queue-deleted';

const SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'DeadLetterQueueSourceArn',
  'AWSTraceHeader',
] as const;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** In-memory standard SQS: queues, visibility timeouts, delays, redrive, long polling. */
export class SqsBackend {
  readonly region: string;
  readonly accountId: string;
  readonly moveTasks: MessageMoveTasks;
  private endpoint: string;
  private readonly queues = new Map<string, Queue>();
  private readonly beforeDeliverHooks: BeforeDeliverHook[] = [];
  private readonly sendListeners = new Set<(queueName: string, message: PeekedMessage) => void>();
  private readonly receiveListeners = new Set<
    (queueName: string, messages: readonly ReceivedMessage[]) => void
  >();
  private readonly lifecycleListeners = new Set<(event: MessageLifecycleEvent) => void>();
  private readonly longPollListeners = new Set<(event: LongPollEvent) => void>();
  private readonly pendingPolls = new Set<() => void>();
  private nextSeq = 1;
  private closed = false;
  private readonly store: DurableStore | undefined;
  /** Messages a previous run left, by queue name, waiting for their queue to be created again. */
  private readonly stored = new Map<string, StoredMessage[]>();

  constructor(options: SqsBackendOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.endpoint = options.endpoint ?? 'http://127.0.0.1';
    this.moveTasks = new MessageMoveTasks(this);
    this.store = options.store;
    if (this.store) this.loadStoredMessages(this.store);
  }

  setEndpoint(endpoint: string): void {
    this.endpoint = endpoint.replace(/\/$/, '');
  }

  queueUrl(queueName: string): string {
    return `${this.endpoint}/${this.accountId}/${queueName}`;
  }

  queueArn(queueName: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${queueName}`;
  }

  // ---- queues -------------------------------------------------------------------------------

  createQueue(
    name: string,
    attributes: Readonly<Record<string, string>> = {},
    tags: Readonly<Record<string, string>> = {},
  ): Queue {
    if (name.endsWith('.fifo')) {
      throw SqsError.unsupportedOperation(
        'FIFO queues are not supported by the local emulator; use a standard queue',
      );
    }
    if (!QUEUE_NAME.test(name)) {
      throw SqsError.invalidParameterValue(
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    validateQueueAttributes(attributes);
    this.checkDeadLetterTarget(attributes);
    const existing = this.queues.get(name);
    if (existing) {
      for (const [key, value] of Object.entries(attributes)) {
        if (existing.attributes.get(key) !== value) throw SqsError.queueNameExists(name);
      }
      return existing;
    }
    const queue = new Queue(name, this.queueArn(name), Date.now());
    for (const [key, value] of Object.entries(attributes)) queue.attributes.set(key, value);
    Object.assign(queue.tags, tags);
    this.queues.set(name, queue);
    // A queue created again after a restart gets back what it held, in flight messages included:
    // they are received again once their visibility deadline passes, as SQS would redeliver them.
    for (const message of this.stored.get(name) ?? []) queue.messages.set(message.seq, message);
    this.stored.delete(name);
    return queue;
  }

  /** Finds a queue by name, URL or ARN. */
  findQueue(ref: string): Queue | undefined {
    if (ref.startsWith('arn:')) {
      const name = ref.split(':')[5];
      const queue = name === undefined ? undefined : this.queues.get(name);
      return queue?.arn === ref ? queue : undefined;
    }
    const name = ref.includes('/') ? ref.replace(/\/+$/, '').split('/').pop() : ref;
    return name === undefined ? undefined : this.queues.get(name);
  }

  /** Like findQueue, but a missing queue is SQS's QueueDoesNotExist. */
  queue(ref: string): Queue {
    const queue = this.findQueue(ref);
    if (!queue) throw SqsError.queueDoesNotExist();
    return queue;
  }

  listQueues(prefix = ''): Queue[] {
    return [...this.queues.values()].filter((queue) => queue.name.startsWith(prefix));
  }

  deleteQueue(ref: string): void {
    const queue = this.queue(ref);
    this.queues.delete(queue.name);
    queue.deleted = true;
    queue.messages.clear();
    this.store?.deletePrefix(MESSAGE_RECORD, `${queue.name}/`);
    queue.notifyWaiters();
  }

  purgeQueue(ref: string): void {
    const queue = this.queue(ref);
    queue.messages.clear();
    this.store?.deletePrefix(MESSAGE_RECORD, `${queue.name}/`);
  }

  getQueueAttributes(ref: string, names: readonly string[]): Record<string, string> {
    const queue = this.queue(ref);
    const all = names.includes('All');
    for (const name of names) {
      if (name !== 'All' && !isKnownAttributeName(name)) throw SqsError.invalidAttributeName(name);
    }
    const now = Date.now();
    this.expire(queue, now);
    const counts = queue.counts(now);
    const values: Record<string, string> = {};
    for (const [name, value] of queue.attributes) values[name] = value;
    const computed: Record<(typeof COMPUTED_ATTRIBUTE_NAMES)[number], string> = {
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModifiedAt / 1000)),
      QueueArn: queue.arn,
    };
    Object.assign(values, computed);
    if (all) return values;
    const selected: Record<string, string> = {};
    for (const name of names) {
      const value = values[name];
      if (value !== undefined) selected[name] = value;
    }
    return selected;
  }

  setQueueAttributes(ref: string, attributes: Readonly<Record<string, string>>): void {
    const queue = this.queue(ref);
    validateQueueAttributes(attributes);
    this.checkDeadLetterTarget(attributes);
    for (const [name, value] of Object.entries(attributes)) {
      // An empty RedrivePolicy removes it, as in SQS.
      if (value === '' && (name === 'RedrivePolicy' || name === 'RedriveAllowPolicy' || name === 'Policy')) {
        queue.attributes.delete(name);
      } else {
        queue.attributes.set(name, value);
      }
    }
    queue.lastModifiedAt = Date.now();
    queue.notifyWaiters();
  }

  tagQueue(ref: string, tags: Readonly<Record<string, string>>): void {
    Object.assign(this.queue(ref).tags, tags);
  }

  untagQueue(ref: string, keys: readonly string[]): void {
    const queue = this.queue(ref);
    for (const key of keys) delete queue.tags[key];
  }

  listQueueTags(ref: string): Record<string, string> {
    return { ...this.queue(ref).tags };
  }

  /** Queues whose RedrivePolicy names this queue as their dead-letter queue. */
  listDeadLetterSourceQueues(ref: string): Queue[] {
    const target = this.queue(ref);
    return [...this.queues.values()].filter(
      (queue) => queue.redrivePolicy?.deadLetterTargetArn === target.arn,
    );
  }

  // ---- messages -----------------------------------------------------------------------------

  sendMessage(ref: string, input: SendMessageInput): SentMessage {
    const queue = this.queue(ref);
    const messageAttributes = input.messageAttributes ?? {};
    const systemAttributes = input.systemAttributes ?? {};
    this.validateBody(queue, input.body, messageAttributes);
    const delaySeconds = input.delaySeconds ?? queue.delaySeconds;
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 900) {
      throw SqsError.invalidParameterValue(
        `Value ${delaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`,
      );
    }
    const now = Date.now();
    const message: StoredMessage = {
      seq: this.nextSeq++,
      messageId: randomUUID(),
      body: input.body,
      md5OfBody: md5Hex(input.body),
      messageAttributes,
      systemAttributes,
      senderId: 'AIDALOCALEMULATOR0000',
      sentAt: now,
      visibleAt: now + delaySeconds * 1000,
      receiveCount: 0,
    };
    this.enqueue(queue, message);
    for (const listener of this.sendListeners) listener(queue.name, this.peek(message, now));
    const sent: SentMessage = { messageId: message.messageId, md5OfMessageBody: message.md5OfBody };
    const attributesMd5 = md5OfMessageAttributes(messageAttributes);
    if (attributesMd5) sent.md5OfMessageAttributes = attributesMd5;
    const systemMd5 = md5OfMessageAttributes(systemAttributes);
    if (systemMd5) sent.md5OfMessageSystemAttributes = systemMd5;
    return sent;
  }

  /**
   * Receives up to maxNumberOfMessages. With a wait time it returns as soon as one message is
   * receivable, or empty at the deadline, when the signal aborts, or when the backend closes.
   */
  async receiveMessages(
    ref: string,
    input: ReceiveMessagesInput = {},
    signal?: AbortSignal,
  ): Promise<ReceivedMessage[]> {
    const queue = this.queue(ref);
    const max = input.maxNumberOfMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw SqsError.invalidParameterValue(
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const visibility = input.visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds;
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > 43200) {
      throw SqsError.invalidParameterValue(`Value ${visibility} for parameter VisibilityTimeout is invalid.`);
    }
    const waitSeconds = input.waitTimeSeconds ?? queue.receiveWaitSeconds;
    if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 20) {
      throw SqsError.invalidParameterValue(
        `Value ${waitSeconds} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      );
    }
    // A long poll that returns a message later hides it for the queue's timeout as it is then: a
    // SetQueueAttributes during the wait applies to what the wait returns (the test of a poison
    // message shortens it and then publishes; the poll already waiting must not use the old value).
    const take = () =>
      this.collect(queue, max, input.visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds, input);
    const first = take();
    if (first.length > 0 || waitSeconds === 0 || signal?.aborted || this.closed) return first;
    return this.waitForMessages(queue, take, waitSeconds * 1000, signal);
  }

  deleteMessage(ref: string, receiptHandle: string): void {
    const queue = this.queue(ref);
    const seq = this.seqFromReceiptHandle(queue, receiptHandle);
    const message = queue.messages.get(seq);
    // A handle of a message already deleted (or redriven) is accepted silently, as in SQS.
    this.removeMessage(queue, seq);
    if (message) this.emitLifecycle({ type: 'deleted', queueName: queue.name, messageId: message.messageId });
  }

  changeMessageVisibility(ref: string, receiptHandle: string, visibilityTimeoutSeconds: number): void {
    const queue = this.queue(ref);
    if (
      !Number.isInteger(visibilityTimeoutSeconds) ||
      visibilityTimeoutSeconds < 0 ||
      visibilityTimeoutSeconds > 43200
    ) {
      throw SqsError.invalidParameterValue(
        `Value ${visibilityTimeoutSeconds} for parameter VisibilityTimeout is invalid.`,
      );
    }
    const seq = this.seqFromReceiptHandle(queue, receiptHandle);
    const message = queue.messages.get(seq);
    const now = Date.now();
    if (!message || messageState(message, now) !== 'in-flight') throw SqsError.messageNotInflight();
    message.visibleAt = now + visibilityTimeoutSeconds * 1000;
    this.persist(queue, message);
    queue.notifyWaiters();
  }

  // ---- console and test extras --------------------------------------------------------------

  /** Every queue with its depth and the age of its oldest message. */
  listQueueDepths(): QueueDepth[] {
    const now = Date.now();
    return [...this.queues.values()].map((queue) => {
      this.expire(queue, now);
      const counts = queue.counts(now);
      const depth: QueueDepth = {
        name: queue.name,
        url: this.queueUrl(queue.name),
        arn: queue.arn,
        visible: counts.visible,
        inFlight: counts.inFlight,
        delayed: counts.delayed,
        oldestMessageAgeSeconds:
          counts.oldestSentAt === undefined ? 0 : Math.floor((now - counts.oldestSentAt) / 1000),
      };
      const deadLetterTargetArn = queue.redrivePolicy?.deadLetterTargetArn;
      if (deadLetterTargetArn) depth.deadLetterTargetArn = deadLetterTargetArn;
      return depth;
    });
  }

  /** The queue's messages, without receiving them or changing anything. */
  peekMessages(ref: string, limit = 100): PeekedMessage[] {
    const queue = this.queue(ref);
    const now = Date.now();
    this.expire(queue, now);
    return [...queue.messages.values()].slice(0, limit).map((message) => this.peek(message, now));
  }

  /** Registers a fault hook consulted before each delivery; returns its removal. */
  addBeforeDeliverHook(hook: BeforeDeliverHook): () => void {
    this.beforeDeliverHooks.push(hook);
    return () => {
      const index = this.beforeDeliverHooks.indexOf(hook);
      if (index >= 0) this.beforeDeliverHooks.splice(index, 1);
    };
  }

  /**
   * Puts held messages back (see the 'hold' decision) at the end of the queue, in the given order of
   * message ids, so they are received in that order; ids not held are ignored. Returns how many.
   */
  releaseHeld(ref: string, messageIds: readonly string[]): number {
    const queue = this.queue(ref);
    const now = Date.now();
    let released = 0;
    for (const messageId of messageIds) {
      for (const message of [...queue.messages.values()]) {
        if (!message.held || message.messageId !== messageId) continue;
        const { held: _held, ...rest } = message;
        this.enqueue(queue, { ...rest, seq: this.nextSeq++, visibleAt: now });
        this.removeMessage(queue, message.seq);
        released++;
      }
    }
    return released;
  }

  /** Messages a 'hold' fault is holding back, in the order they were held. */
  heldMessages(ref: string): PeekedMessage[] {
    const now = Date.now();
    return [...this.queue(ref).messages.values()]
      .filter((message) => message.held)
      .map((message) => this.peek(message, now));
  }

  /** Deletions and redrive moves, for tests that account for every message. */
  onLifecycle(listener: (event: MessageLifecycleEvent) => void): () => void {
    this.lifecycleListeners.add(listener);
    return () => this.lifecycleListeners.delete(listener);
  }

  /** Called by move tasks when a redrive gives a message a new id in another queue. */
  emitLifecycle(event: MessageLifecycleEvent): void {
    for (const listener of this.lifecycleListeners) listener(event);
  }

  onSend(listener: (queueName: string, message: PeekedMessage) => void): () => void {
    this.sendListeners.add(listener);
    return () => this.sendListeners.delete(listener);
  }

  onReceive(listener: (queueName: string, messages: readonly ReceivedMessage[]) => void): () => void {
    this.receiveListeners.add(listener);
    return () => this.receiveListeners.delete(listener);
  }

  /** Long polls that wait and end, so a test sends after a poll is waiting instead of after a sleep. */
  onLongPoll(listener: (event: LongPollEvent) => void): () => void {
    this.longPollListeners.add(listener);
    return () => this.longPollListeners.delete(listener);
  }

  /** Ends open long polls (they return empty) and running move tasks. */
  close(): void {
    this.closed = true;
    for (const finish of [...this.pendingPolls]) finish();
    this.moveTasks.close();
  }

  // ---- internals shared with move tasks -----------------------------------------------------

  /** Adds a message (new or moved) to a queue (on disk first, when durable) and wakes its long polls. */
  enqueue(queue: Queue, message: StoredMessage): void {
    this.persist(queue, message);
    queue.messages.set(message.seq, message);
    queue.notifyWaiters();
  }

  /** Takes a message out of a queue (deleted, expired, moved), on disk too. */
  removeMessage(queue: Queue, seq: number): void {
    queue.messages.delete(seq);
    this.store?.delete(MESSAGE_RECORD, `${queue.name}/${seq}`);
  }

  allocateSeq(): number {
    return this.nextSeq++;
  }

  // ---- private ------------------------------------------------------------------------------

  private collect(
    queue: Queue,
    max: number,
    visibilitySeconds: number,
    input: ReceiveMessagesInput,
  ): ReceivedMessage[] {
    if (queue.deleted) return [];
    const now = Date.now();
    this.expire(queue, now);
    const redrive = queue.redrivePolicy;
    const received: ReceivedMessage[] = [];
    for (const message of [...queue.messages.values()]) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      if (
        redrive &&
        message.receiveCount >= redrive.maxReceiveCount &&
        this.moveToDeadLetterQueue(queue, message, redrive.deadLetterTargetArn)
      ) {
        continue;
      }
      const decision = this.decideDelivery(queue.name, message);
      if (typeof decision === 'object' && 'dropForMs' in decision) {
        message.receiveCount += 1;
        message.firstReceivedAt ??= now;
        message.visibleAt = now + Math.max(0, decision.dropForMs);
        this.persist(queue, message);
        continue;
      }
      if (typeof decision === 'object') {
        message.visibleAt = now + Math.max(0, decision.delayMs);
        this.persist(queue, message);
        continue;
      }
      if (decision === 'hold') {
        message.held = true;
        message.visibleAt = Number.POSITIVE_INFINITY;
        continue;
      }
      if (decision === 'duplicate') {
        this.enqueue(queue, { ...message, seq: this.nextSeq++ });
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilitySeconds * 1000;
      // On disk before the receiver sees it: after a crash it comes back in flight, with this count.
      this.persist(queue, message);
      if (decision === 'drop-until-visible') continue;
      received.push(this.toReceived(queue, message, input));
    }
    if (received.length > 0) {
      for (const listener of this.receiveListeners) listener(queue.name, received);
    }
    return received;
  }

  private expire(queue: Queue, now: number): void {
    for (const message of queue.expire(now))
      this.store?.delete(MESSAGE_RECORD, `${queue.name}/${message.seq}`);
  }

  /**
   * Writes a message as it is now. A message held by a 'hold' fault is written as it was before (the
   * hold is a test's fault, not the queue's state): a restarted queue delivers it again.
   */
  private persist(queue: Queue, message: StoredMessage): void {
    if (!this.store || message.held) return;
    this.store.put(MESSAGE_RECORD, `${queue.name}/${message.seq}`, message);
  }

  private loadStoredMessages(store: DurableStore): void {
    for (const { key, value } of store.list<StoredMessage>(MESSAGE_RECORD)) {
      const queueName = key.slice(0, key.lastIndexOf('/'));
      const messages = this.stored.get(queueName) ?? [];
      messages.push(value);
      this.stored.set(queueName, messages);
      this.nextSeq = Math.max(this.nextSeq, value.seq + 1);
    }
  }

  private decideDelivery(queueName: string, message: StoredMessage): DeliveryDecision {
    if (this.beforeDeliverHooks.length === 0) return 'deliver';
    const candidate: DeliveryCandidate = {
      messageId: message.messageId,
      body: message.body,
      receiveCount: message.receiveCount,
      messageAttributes: serializeMessageAttributes(message.messageAttributes),
    };
    for (const hook of this.beforeDeliverHooks) {
      const decision = hook(queueName, candidate);
      if (decision !== undefined && decision !== 'deliver') return decision;
    }
    return 'deliver';
  }

  /** Redrive: moves the message, keeping its id, body and attributes, and remembers its source. */
  private moveToDeadLetterQueue(source: Queue, message: StoredMessage, deadLetterTargetArn: string): boolean {
    const target = this.findQueue(deadLetterTargetArn);
    // SQS leaves the message where it is while its dead-letter queue does not exist.
    if (!target || target === source) return false;
    // Added to the dead-letter queue before it leaves its source: a crash between leaves a copy.
    this.enqueue(target, {
      ...message,
      seq: this.nextSeq++,
      visibleAt: Date.now(),
      deadLetterSourceArn: source.arn,
    });
    this.removeMessage(source, message.seq);
    return true;
  }

  private toReceived(queue: Queue, message: StoredMessage, input: ReceiveMessagesInput): ReceivedMessage {
    const received: ReceivedMessage = {
      MessageId: message.messageId,
      ReceiptHandle: this.receiptHandle(queue, message),
      MD5OfBody: message.md5OfBody,
      Body: message.body,
    };
    const attributes = this.systemAttributes(message, input.systemAttributeNames ?? []);
    if (Object.keys(attributes).length > 0) received.Attributes = attributes;
    const selected = selectMessageAttributes(message.messageAttributes, input.messageAttributeNames ?? []);
    const md5 = md5OfMessageAttributes(selected);
    if (md5) {
      received.MD5OfMessageAttributes = md5;
      received.MessageAttributes = serializeMessageAttributes(selected);
    }
    return received;
  }

  private systemAttributes(message: StoredMessage, requested: readonly string[]): Record<string, string> {
    const all = requested.includes('All');
    const values: Record<(typeof SYSTEM_ATTRIBUTE_NAMES)[number], string | undefined> = {
      SenderId: message.senderId,
      SentTimestamp: String(message.sentAt),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp:
        message.firstReceivedAt === undefined ? undefined : String(message.firstReceivedAt),
      DeadLetterQueueSourceArn: message.deadLetterSourceArn,
      AWSTraceHeader: message.systemAttributes.AWSTraceHeader?.StringValue,
    };
    const attributes: Record<string, string> = {};
    for (const name of SYSTEM_ATTRIBUTE_NAMES) {
      const value = values[name];
      if (value !== undefined && (all || requested.includes(name))) attributes[name] = value;
    }
    return attributes;
  }

  private waitForMessages(
    queue: Queue,
    take: () => ReceivedMessage[],
    waitMs: number,
    signal: AbortSignal | undefined,
  ): Promise<ReceivedMessage[]> {
    return new Promise((resolve) => {
      const deadline = Date.now() + waitMs;
      let nextLook: NodeJS.Timeout | undefined;
      const finish = (messages: ReceivedMessage[], reason: LongPollEndReason) => {
        clearTimeout(deadlineTimer);
        clearTimeout(nextLook);
        queue.waiters.delete(look);
        this.pendingPolls.delete(closing);
        signal?.removeEventListener('abort', aborted);
        for (const listener of this.longPollListeners)
          listener({ type: 'ended', queueName: queue.name, received: messages.length, reason });
        resolve(messages);
      };
      const closing = () => finish([], 'closed');
      const aborted = () => finish([], 'aborted');
      const look = () => {
        if (queue.deleted) return finish([], 'queue-deleted');
        const messages = take();
        if (messages.length > 0) return finish(messages, 'messages');
        clearTimeout(nextLook);
        const now = Date.now();
        const next = queue.nextVisibleAt(now);
        if (next !== undefined && next < deadline) nextLook = setTimeout(look, next - now);
      };
      const deadlineTimer = setTimeout(() => finish([], 'wait-time-elapsed'), waitMs);
      queue.waiters.add(look);
      this.pendingPolls.add(closing);
      signal?.addEventListener('abort', aborted, { once: true });
      for (const listener of this.longPollListeners) listener({ type: 'waiting', queueName: queue.name });
      look();
    });
  }

  private receiptHandle(queue: Queue, message: StoredMessage): string {
    return Buffer.from(`${queue.name}:${message.seq}:${randomUUID()}`).toString('base64url');
  }

  private seqFromReceiptHandle(queue: Queue, receiptHandle: string): number {
    const [queueName, seq] = Buffer.from(receiptHandle, 'base64url').toString('utf8').split(':');
    const parsed = Number(seq);
    if (queueName !== queue.name || !Number.isInteger(parsed))
      throw SqsError.receiptHandleIsInvalid(receiptHandle);
    return parsed;
  }

  private validateBody(queue: Queue, body: string, attributes: MessageAttributes): void {
    if (body === '') throw SqsError.missingParameter('MessageBody');
    if (!hasOnlyAllowedCharacters(body)) throw SqsError.invalidMessageContents();
    const size = Buffer.byteLength(body) + messageAttributesSize(attributes);
    if (size > queue.maximumMessageSize) {
      throw SqsError.invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${queue.maximumMessageSize} bytes.`,
      );
    }
  }

  private checkDeadLetterTarget(attributes: Readonly<Record<string, string>>): void {
    const raw = attributes.RedrivePolicy;
    if (!raw) return;
    const arn = (JSON.parse(raw) as { deadLetterTargetArn: string }).deadLetterTargetArn;
    if (!this.findQueue(arn)) {
      throw SqsError.invalidParameterValue(
        `Value ${raw} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`,
      );
    }
  }

  private peek(message: StoredMessage, now: number): PeekedMessage {
    const peeked: PeekedMessage = {
      messageId: message.messageId,
      body: message.body,
      messageAttributes: serializeMessageAttributes(message.messageAttributes),
      state: messageState(message, now),
      receiveCount: message.receiveCount,
      sentTimestamp: message.sentAt,
      visibleAt: message.visibleAt,
    };
    if (message.deadLetterSourceArn) peeked.deadLetterSourceArn = message.deadLetterSourceArn;
    if (message.held) peeked.held = true;
    return peeked;
  }
}

/** SQS accepts #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF in a body (XML's characters). */
function hasOnlyAllowedCharacters(body: string): boolean {
  for (const character of body) {
    const code = character.codePointAt(0) ?? 0;
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) return false;
  }
  return true;
}
