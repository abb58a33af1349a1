import { FAILURE_STAGES } from '@reelay/events';
import { z } from 'zod';

/**
 * Which stage each dead-letter queue of a service stands for, and the queue its messages go back to
 * when redriven (a queue DLQ: its source queue; an EventBridge rule-target DLQ: the rule's target
 * queue). Given to the dead-letter handler as JSON in DEAD_LETTER_QUEUES, keyed by DLQ name.
 */
export const deadLetterRouteSchema = z.strictObject({
  stage: z.enum(FAILURE_STAGES),
  redriveTo: z.string().min(1).max(80),
});
export type DeadLetterRoute = z.infer<typeof deadLetterRouteSchema>;

export const deadLetterQueuesSchema = z.record(z.string().min(1).max(80), deadLetterRouteSchema);
export type DeadLetterQueues = z.infer<typeof deadLetterQueuesSchema>;

/** Parses DEAD_LETTER_QUEUES; fails at start, naming the problem, when it is not valid. */
export function parseDeadLetterQueues(json: string): DeadLetterQueues {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('DEAD_LETTER_QUEUES is not JSON');
  }
  const parsed = deadLetterQueuesSchema.safeParse(value);
  if (!parsed.success) throw new Error(`DEAD_LETTER_QUEUES: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The queue name at the end of an SQS ARN (arn:aws:sqs:region:account:name). */
export const queueNameFromArn = (arn: string): string => arn.slice(arn.lastIndexOf(':') + 1);
