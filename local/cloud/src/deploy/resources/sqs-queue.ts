import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { jsonText, physicalName, type ResourceDeployer } from './resource-deployer';

const PASSED_ATTRIBUTES = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'MaximumMessageSize',
] as const;

/** AWS::SQS::Queue: created on the emulator; its URL is remembered by ARN for the event sources. */
export const deploySqsQueue: ResourceDeployer = async (id, p, deployment) => {
  const { clients, cloud } = deployment;
  const name = physicalName(p.QueueName, id, deployment);
  const attributes: Record<string, string> = {};
  for (const key of PASSED_ATTRIBUTES) {
    if (p[key] !== undefined) attributes[key] = String(p[key]);
  }
  const redrivePolicy = jsonText(p.RedrivePolicy);
  if (redrivePolicy) attributes.RedrivePolicy = redrivePolicy;
  const { QueueUrl } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  const arn = `arn:aws:sqs:${clients.region}:${clients.accountId}:${name}`;
  cloud.queueUrlByArn.set(arn, String(QueueUrl));
  return { ref: String(QueueUrl), attrs: { Arn: arn, QueueName: name, QueueUrl: String(QueueUrl) } };
};
