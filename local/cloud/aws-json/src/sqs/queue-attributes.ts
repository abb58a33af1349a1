import { SqsError } from './sqs-errors';

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** Attributes a caller may set, with SQS's defaults and ranges. */
const SETTABLE: Readonly<Record<string, { default?: string; min?: number; max?: number }>> = {
  DelaySeconds: { default: '0', min: 0, max: 900 },
  MaximumMessageSize: { default: '1048576', min: 1024, max: 1048576 },
  MessageRetentionPeriod: { default: '345600', min: 60, max: 1209600 },
  ReceiveMessageWaitTimeSeconds: { default: '0', min: 0, max: 20 },
  VisibilityTimeout: { default: '30', min: 0, max: 43200 },
  SqsManagedSseEnabled: { default: 'true' },
  Policy: {},
  RedrivePolicy: {},
  RedriveAllowPolicy: {},
  KmsMasterKeyId: {},
  KmsDataKeyReusePeriodSeconds: { min: 60, max: 86400 },
};

export const COMPUTED_ATTRIBUTE_NAMES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

export function defaultQueueAttributes(): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const [name, rule] of Object.entries(SETTABLE)) {
    if (rule.default !== undefined) attributes.set(name, rule.default);
  }
  return attributes;
}

export function isKnownAttributeName(name: string): boolean {
  return name in SETTABLE || (COMPUTED_ATTRIBUTE_NAMES as readonly string[]).includes(name);
}

/** Validates attributes given to CreateQueue/SetQueueAttributes; FIFO queues are refused explicitly. */
export function validateQueueAttributes(attributes: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (
      name === 'FifoQueue' ||
      name === 'ContentBasedDeduplication' ||
      name === 'DeduplicationScope' ||
      name === 'FifoThroughputLimit'
    ) {
      if (name === 'FifoQueue' && value === 'false') continue;
      throw SqsError.unsupportedOperation(
        'FIFO queues are not supported by the local emulator; use a standard queue',
      );
    }
    const rule = SETTABLE[name];
    if (!rule) throw SqsError.invalidAttributeName(name);
    if (rule.min !== undefined && rule.max !== undefined) {
      const number = Number(value);
      if (!Number.isInteger(number) || number < rule.min || number > rule.max) {
        throw SqsError.invalidAttributeValue(`Invalid value for the parameter ${name}.`);
      }
    }
    if (name === 'RedrivePolicy' && value !== '') parseRedrivePolicy(value);
    if ((name === 'RedriveAllowPolicy' || name === 'Policy') && value !== '') parseJsonAttribute(name, value);
  }
}

export function parseRedrivePolicy(value: string): RedrivePolicy {
  const parsed = parseJsonAttribute('RedrivePolicy', value);
  const arn = parsed.deadLetterTargetArn;
  const count = Number(parsed.maxReceiveCount);
  if (
    typeof arn !== 'string' ||
    !arn.startsWith('arn:') ||
    !Number.isInteger(count) ||
    count < 1 ||
    count > 1000
  ) {
    throw SqsError.invalidAttributeValue(
      `Value ${value} for parameter RedrivePolicy is invalid. Reason: Redrive policy needs deadLetterTargetArn and maxReceiveCount between 1 and 1000.`,
    );
  }
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

function parseJsonAttribute(name: string, value: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // falls through to the error below
  }
  throw SqsError.invalidAttributeValue(
    `Value ${value} for parameter ${name} is invalid. Reason: Invalid JSON.`,
  );
}
