import type { JsonService, OperationHandler } from '../http/json-service';
import {
  asRecord,
  optionalArray,
  optionalNumber,
  optionalString,
  optionalStringMap,
  type RequestBody,
  requiredString,
} from '../shared/request-fields';
import { parseMessageAttributes } from './message-attributes';
import type { MessageMoveTask } from './message-move-tasks';
import type { SendMessageInput, SqsBackend } from './sqs-backend';
import { SqsError } from './sqs-errors';

const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_BATCH_BYTES = 1024 * 1024;

/** Maps the AmazonSQS JSON operations onto the backend. */
export function sqsJsonService(sqs: SqsBackend): JsonService {
  const queueUrlOf = (body: RequestBody) => {
    const url = optionalString(body, 'QueueUrl');
    if (!url) throw SqsError.missingParameter('QueueUrl');
    return url;
  };

  const operations: Record<string, OperationHandler> = {
    CreateQueue: (body) => {
      const queue = sqs.createQueue(
        requiredString(body, 'QueueName'),
        optionalStringMap(body, 'Attributes'),
        optionalStringMap(body, 'tags'),
      );
      return { QueueUrl: sqs.queueUrl(queue.name) };
    },
    GetQueueUrl: (body) => ({ QueueUrl: sqs.queueUrl(sqs.queue(requiredString(body, 'QueueName')).name) }),
    ListQueues: (body) => {
      const max = optionalNumber(body, 'MaxResults') ?? 1000;
      const queues = sqs.listQueues(optionalString(body, 'QueueNamePrefix') ?? '').slice(0, max);
      return queues.length > 0 ? { QueueUrls: queues.map((queue) => sqs.queueUrl(queue.name)) } : {};
    },
    GetQueueAttributes: (body) => {
      const names = stringList(body, 'AttributeNames');
      return { Attributes: sqs.getQueueAttributes(queueUrlOf(body), names.length > 0 ? names : []) };
    },
    SetQueueAttributes: (body) => {
      sqs.setQueueAttributes(queueUrlOf(body), optionalStringMap(body, 'Attributes'));
      return {};
    },
    DeleteQueue: (body) => {
      sqs.deleteQueue(queueUrlOf(body));
      return {};
    },
    PurgeQueue: (body) => {
      sqs.purgeQueue(queueUrlOf(body));
      return {};
    },
    TagQueue: (body) => {
      sqs.tagQueue(queueUrlOf(body), optionalStringMap(body, 'Tags'));
      return {};
    },
    UntagQueue: (body) => {
      sqs.untagQueue(queueUrlOf(body), stringList(body, 'TagKeys'));
      return {};
    },
    ListQueueTags: (body) => ({ Tags: sqs.listQueueTags(queueUrlOf(body)) }),
    ListDeadLetterSourceQueues: (body) => ({
      queueUrls: sqs.listDeadLetterSourceQueues(queueUrlOf(body)).map((queue) => sqs.queueUrl(queue.name)),
    }),
    SendMessage: (body) => {
      const sent = sqs.sendMessage(queueUrlOf(body), sendInput(body));
      return {
        MessageId: sent.messageId,
        MD5OfMessageBody: sent.md5OfMessageBody,
        MD5OfMessageAttributes: sent.md5OfMessageAttributes,
        MD5OfMessageSystemAttributes: sent.md5OfMessageSystemAttributes,
      };
    },
    SendMessageBatch: (body) => {
      const queueUrl = queueUrlOf(body);
      sqs.queue(queueUrl);
      const entries = batchEntries(body);
      const totalBytes = entries.reduce((sum, entry) => sum + Buffer.byteLength(JSON.stringify(entry)), 0);
      if (totalBytes > MAX_BATCH_BYTES) throw SqsError.batchRequestTooLong();
      return runBatch(entries, (entry) => {
        const sent = sqs.sendMessage(queueUrl, sendInput(entry));
        return {
          MessageId: sent.messageId,
          MD5OfMessageBody: sent.md5OfMessageBody,
          MD5OfMessageAttributes: sent.md5OfMessageAttributes,
          MD5OfMessageSystemAttributes: sent.md5OfMessageSystemAttributes,
        };
      });
    },
    ReceiveMessage: async (body, context) => {
      const systemAttributeNames = [
        ...stringList(body, 'MessageSystemAttributeNames'),
        ...stringList(body, 'AttributeNames'),
      ];
      const input = {
        maxNumberOfMessages: optionalNumber(body, 'MaxNumberOfMessages'),
        visibilityTimeoutSeconds: optionalNumber(body, 'VisibilityTimeout'),
        waitTimeSeconds: optionalNumber(body, 'WaitTimeSeconds'),
        systemAttributeNames,
        messageAttributeNames: stringList(body, 'MessageAttributeNames'),
      };
      const messages = await sqs.receiveMessages(queueUrlOf(body), input, context.signal);
      return messages.length > 0 ? { Messages: messages } : {};
    },
    DeleteMessage: (body) => {
      sqs.deleteMessage(queueUrlOf(body), requiredString(body, 'ReceiptHandle'));
      return {};
    },
    DeleteMessageBatch: (body) => {
      const queueUrl = queueUrlOf(body);
      sqs.queue(queueUrl);
      return runBatch(batchEntries(body), (entry) => {
        sqs.deleteMessage(queueUrl, requiredString(entry, 'ReceiptHandle'));
        return {};
      });
    },
    ChangeMessageVisibility: (body) => {
      sqs.changeMessageVisibility(
        queueUrlOf(body),
        requiredString(body, 'ReceiptHandle'),
        visibilityOf(body),
      );
      return {};
    },
    ChangeMessageVisibilityBatch: (body) => {
      const queueUrl = queueUrlOf(body);
      sqs.queue(queueUrl);
      return runBatch(batchEntries(body), (entry) => {
        sqs.changeMessageVisibility(queueUrl, requiredString(entry, 'ReceiptHandle'), visibilityOf(entry));
        return {};
      });
    },
    StartMessageMoveTask: (body) => {
      const task = sqs.moveTasks.start(
        requiredString(body, 'SourceArn'),
        optionalString(body, 'DestinationArn'),
        optionalNumber(body, 'MaxNumberOfMessagesPerSecond'),
      );
      return { TaskHandle: task.taskHandle };
    },
    ListMessageMoveTasks: (body) => ({
      Results: sqs.moveTasks
        .list(requiredString(body, 'SourceArn'), optionalNumber(body, 'MaxResults') ?? 1)
        .map(moveTaskEntry),
    }),
    CancelMessageMoveTask: (body) => ({
      ApproximateNumberOfMessagesMoved: sqs.moveTasks.cancel(requiredString(body, 'TaskHandle'))
        .approximateNumberOfMessagesMoved,
    }),
  };

  return {
    targetPrefix: 'AmazonSQS',
    jsonVersion: '1.0',
    errorNamespace: 'com.amazonaws.sqs',
    queryCompatible: true,
    operations,
  };
}

function sendInput(body: RequestBody): SendMessageInput {
  const messageBody = body.MessageBody;
  if (typeof messageBody !== 'string') throw SqsError.missingParameter('MessageBody');
  const input: SendMessageInput = {
    body: messageBody,
    messageAttributes: parseMessageAttributes(body.MessageAttributes),
    systemAttributes: parseMessageAttributes(body.MessageSystemAttributes, 'MessageSystemAttributes'),
  };
  const delaySeconds = optionalNumber(body, 'DelaySeconds');
  if (delaySeconds !== undefined) input.delaySeconds = delaySeconds;
  return input;
}

function visibilityOf(body: RequestBody): number {
  const value = optionalNumber(body, 'VisibilityTimeout');
  if (value === undefined) throw SqsError.missingParameter('VisibilityTimeout');
  return value;
}

function stringList(body: RequestBody, field: string): string[] {
  return optionalArray(body, field).filter((value): value is string => typeof value === 'string');
}

function batchEntries(body: RequestBody): RequestBody[] {
  const entries = optionalArray(body, 'Entries').map(asRecord);
  if (entries.length === 0) throw SqsError.emptyBatchRequest();
  if (entries.length > 10) throw SqsError.tooManyEntriesInBatchRequest();
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = typeof entry.Id === 'string' ? entry.Id : '';
    if (!BATCH_ENTRY_ID.test(id)) throw SqsError.invalidBatchEntryId(id);
    if (seen.has(id)) throw SqsError.batchEntryIdsNotDistinct(id);
    seen.add(id);
  }
  return entries;
}

/** Runs each entry on its own: one entry's error is reported in Failed, never failing its neighbours. */
function runBatch(entries: RequestBody[], run: (entry: RequestBody) => Record<string, unknown>) {
  const Successful: Record<string, unknown>[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    const Id = entry.Id as string;
    try {
      Successful.push({ Id, ...run(entry) });
    } catch (error) {
      if (!(error instanceof SqsError) || error.code === 'QueueDoesNotExist') throw error;
      Failed.push({
        Id,
        SenderFault: error.status < 500,
        Code: error.queryCode ?? error.code,
        Message: error.message,
      });
    }
  }
  return { Successful, Failed };
}

function moveTaskEntry(task: MessageMoveTask) {
  return {
    TaskHandle: task.status === 'RUNNING' ? task.taskHandle : undefined,
    Status: task.status,
    SourceArn: task.sourceArn,
    DestinationArn: task.destinationArn,
    MaxNumberOfMessagesPerSecond: task.maxNumberOfMessagesPerSecond,
    ApproximateNumberOfMessagesMoved: task.approximateNumberOfMessagesMoved,
    ApproximateNumberOfMessagesToMove: task.approximateNumberOfMessagesToMove,
    FailureReason: task.failureReason,
    StartedTimestamp: task.startedTimestamp,
  };
}
