import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface QueueRef {
  name: string;
  url: string;
  arn: string;
}

/** A queue given by name, URL or ARN, resolved to all three through the SQS API. */
export async function resolveQueue(sqs: SQSClient, queue: string): Promise<QueueRef> {
  let url: string;
  if (/^https?:\/\//.test(queue)) url = queue;
  else {
    const name = queue.startsWith('arn:') ? queue.slice(queue.lastIndexOf(':') + 1) : queue;
    const owner = queue.startsWith('arn:') ? queue.split(':')[4] : undefined;
    const found = await sqs.send(
      new GetQueueUrlCommand({ QueueName: name, ...(owner ? { QueueOwnerAWSAccountId: owner } : {}) }),
    );
    if (!found.QueueUrl) throw new Error(`queue ${queue} not found`);
    url = found.QueueUrl;
  }
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${queue} has no ARN`);
  return { name: arn.slice(arn.lastIndexOf(':') + 1), url, arn };
}
