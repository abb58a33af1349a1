import { randomUUID } from 'node:crypto';
import type { SqsBackend } from './sqs-backend';
import { SqsError } from './sqs-errors';

export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

/** One StartMessageMoveTask: a dead-letter queue redriven to a destination or to each message's source. */
export interface MessageMoveTask {
  taskHandle: string;
  sourceArn: string;
  destinationArn?: string;
  maxNumberOfMessagesPerSecond?: number;
  status: MoveTaskStatus;
  approximateNumberOfMessagesMoved: number;
  approximateNumberOfMessagesToMove: number;
  failureReason?: string;
  startedTimestamp: number;
}

const MOVES_PER_TURN = 100;

/** SQS's dead-letter redrive (StartMessageMoveTask and friends), compressed in time. */
export class MessageMoveTasks {
  private readonly tasks: MessageMoveTask[] = [];
  private closed = false;

  constructor(private readonly sqs: SqsBackend) {}

  start(sourceArn: string, destinationArn?: string, maxNumberOfMessagesPerSecond?: number): MessageMoveTask {
    const source = this.sqs.findQueue(sourceArn);
    if (!source || !sourceArn.startsWith('arn:'))
      throw SqsError.resourceNotFound(
        "The resource that you specified for the SourceArn parameter doesn't exist.",
      );
    if (this.sqs.listDeadLetterSourceQueues(sourceArn).length === 0) {
      throw SqsError.invalidParameterValue('Source queue must be configured as a Dead Letter Queue.');
    }
    if (destinationArn !== undefined && !this.sqs.findQueue(destinationArn)) {
      throw SqsError.resourceNotFound(
        "The resource that you specified for the DestinationArn parameter doesn't exist.",
      );
    }
    if (this.tasks.some((task) => task.sourceArn === sourceArn && task.status === 'RUNNING')) {
      throw SqsError.unsupportedOperation(
        'There is already a task running. Only one active task is allowed for each source queue arn at a given time.',
      );
    }
    const now = Date.now();
    const task: MessageMoveTask = {
      taskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn })).toString('base64'),
      sourceArn,
      status: 'RUNNING',
      approximateNumberOfMessagesMoved: 0,
      approximateNumberOfMessagesToMove: [...source.messages.values()].filter(
        (message) => message.visibleAt <= now,
      ).length,
      startedTimestamp: now,
    };
    if (destinationArn !== undefined) task.destinationArn = destinationArn;
    if (maxNumberOfMessagesPerSecond !== undefined)
      task.maxNumberOfMessagesPerSecond = maxNumberOfMessagesPerSecond;
    this.tasks.unshift(task);
    setImmediate(() => this.run(task));
    return task;
  }

  /** Most recent first, as SQS lists them. */
  list(sourceArn: string, maxResults = 1): MessageMoveTask[] {
    if (!this.sqs.findQueue(sourceArn))
      throw SqsError.resourceNotFound(
        "The resource that you specified for the SourceArn parameter doesn't exist.",
      );
    return this.tasks.filter((task) => task.sourceArn === sourceArn).slice(0, maxResults);
  }

  cancel(taskHandle: string): MessageMoveTask {
    const task = this.tasks.find((candidate) => candidate.taskHandle === taskHandle);
    if (!task) throw SqsError.resourceNotFound('Task does not exist.');
    if (task.status !== 'RUNNING') throw SqsError.unsupportedOperation('Only active tasks can be cancelled.');
    task.status = 'CANCELLING';
    return task;
  }

  close(): void {
    this.closed = true;
  }

  private run(task: MessageMoveTask): void {
    if (this.closed) return;
    if (task.status === 'CANCELLING') {
      task.status = 'CANCELLED';
      return;
    }
    const source = this.sqs.findQueue(task.sourceArn);
    if (!source) {
      this.fail(task, 'Source queue no longer exists.');
      return;
    }
    const now = Date.now();
    let movedThisTurn = 0;
    for (const message of [...source.messages.values()]) {
      if (
        movedThisTurn >= MOVES_PER_TURN ||
        task.approximateNumberOfMessagesMoved >= task.approximateNumberOfMessagesToMove
      )
        break;
      if (message.visibleAt > now) continue;
      const destinationArn = task.destinationArn ?? message.deadLetterSourceArn;
      const destination = destinationArn === undefined ? undefined : this.sqs.findQueue(destinationArn);
      if (!destination) {
        this.fail(
          task,
          destinationArn === undefined
            ? 'A message has no source queue to return to; specify DestinationArn.'
            : `Destination queue ${destinationArn} does not exist.`,
        );
        return;
      }
      // A redriven message starts over in its queue: new id, no receives, no dead-letter origin.
      // Added before it is removed: a crash between the two leaves a copy, never nothing.
      const movedId = randomUUID();
      this.sqs.enqueue(destination, {
        seq: this.sqs.allocateSeq(),
        messageId: movedId,
        body: message.body,
        md5OfBody: message.md5OfBody,
        messageAttributes: message.messageAttributes,
        systemAttributes: message.systemAttributes,
        senderId: message.senderId,
        sentAt: now,
        visibleAt: now,
        receiveCount: 0,
      });
      this.sqs.removeMessage(source, message.seq);
      this.sqs.emitLifecycle({
        type: 'moved',
        queueName: source.name,
        messageId: message.messageId,
        toQueueName: destination.name,
        toMessageId: movedId,
      });
      task.approximateNumberOfMessagesMoved++;
      movedThisTurn++;
    }
    if (
      movedThisTurn === 0 ||
      task.approximateNumberOfMessagesMoved >= task.approximateNumberOfMessagesToMove
    ) {
      task.status = 'COMPLETED';
      return;
    }
    setImmediate(() => this.run(task));
  }

  private fail(task: MessageMoveTask, reason: string): void {
    task.status = 'FAILED';
    task.failureReason = reason;
  }
}
