import {
  DeleteMessageBatchCommand,
  ListDeadLetterSourceQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { resolveQueue } from './queue-ref';

export type RedriveQueueResult =
  | { kind: 'message-move-task'; queue: string; sources: string[]; taskHandle: string }
  | { kind: 'rule-target'; queue: string; moved: number; left: number; targets: Record<string, number> };

/**
 * A queue DLQ: SQS moves its messages back to their source queues (StartMessageMoveTask).
 * An EventBridge rule-target DLQ (no source queue): each event goes to the target that missed it
 * (its TARGET_ARN attribute), not back onto the bus, so other rules do not receive it twice.
 * Messages whose target is not a queue are left in place and counted.
 */
export async function redriveQueue(
  sqs: SQSClient,
  queue: string,
  maxMessages = 10_000,
): Promise<RedriveQueueResult> {
  const dlq = await resolveQueue(sqs, queue);
  const { queueUrls = [] } = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url }));
  if (queueUrls.length > 0) {
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
    return { kind: 'message-move-task', queue: dlq.name, sources: queueUrls, taskHandle: String(TaskHandle) };
  }
  const targets: Record<string, number> = {};
  let moved = 0;
  let left = 0;
  while (moved + left < maxMessages) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) break;
    const done: Array<{ Id: string; ReceiptHandle: string }> = [];
    for (const [i, message] of Messages.entries()) {
      const targetArn = message.MessageAttributes?.TARGET_ARN?.StringValue;
      if (!targetArn?.startsWith('arn:aws:sqs:') || !message.Body || !message.ReceiptHandle) {
        left++;
        continue;
      }
      const target = await resolveQueue(sqs, targetArn);
      await sqs.send(new SendMessageCommand({ QueueUrl: target.url, MessageBody: message.Body }));
      done.push({ Id: String(i), ReceiptHandle: message.ReceiptHandle });
      targets[target.name] = (targets[target.name] ?? 0) + 1;
      moved++;
    }
    if (done.length > 0) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlq.url, Entries: done }));
  }
  return { kind: 'rule-target', queue: dlq.name, moved, left, targets };
}
