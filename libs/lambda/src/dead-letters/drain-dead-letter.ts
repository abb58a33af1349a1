import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { causedMeta, type EventPublisher, type JobFailed, jobFailed } from '@reelay/events';
import type { SQSRecord } from 'aws-lambda';
import { UnattributedDeadLetterError, UnknownDeadLetterQueueError } from './dead-letter-errors';
import { type DeadLetterQueues, queueNameFromArn } from './dead-letter-queues';
import { findDeadMessageOwner, type KeptDeadMessage } from './dead-message';

export interface DrainDeadLetterDeps {
  publisher: Pick<EventPublisher, 'publish'>;
  queues: DeadLetterQueues;
  logger: Pick<Logger, 'error' | 'warn'>;
  metrics: Pick<Metrics, 'singleMetric'>;
  /** Hides a message in its queue for `seconds` (SQS ChangeMessageVisibility on its receipt). */
  park(record: SQSRecord, seconds: number): Promise<void>;
  now?: () => Date;
}

/**
 * A dead message that names no job is received again only this much later (SQS's maximum
 * visibility, 12 h), instead of every DLQ visibility timeout (30 s) until its retention ends.
 */
export const UNATTRIBUTED_PARK_SECONDS = 43_200;

/** JobFailed.deadMessage holds at most this much; the kept body is cut below it. */
const MAX_DEAD_MESSAGE_CHARS = 100_000;
/** Used when a body names a job but not its owner (a service-internal message): the ledger keeps the owner it knows. */
const UNKNOWN_USER = 'unknown';

/**
 * One dead message -> JobFailed(stage of its queue, DEAD_LETTER, retryable) carrying the message, so the
 * job ends with a reason and the ledger keeps the message for a redrive. A body that names no job is
 * logged, counted and left in its DLQ (the error makes the batch report it as failed), parked for
 * 12 h so that it is not drained, logged and counted again every 30 s.
 */
export async function drainDeadLetter(record: SQSRecord, deps: DrainDeadLetterDeps): Promise<JobFailed> {
  const deadLetterQueue = queueNameFromArn(record.eventSourceARN);
  const route = deps.queues[deadLetterQueue];
  countDeadLetter(deps, deadLetterQueue);
  if (!route) {
    throw new UnknownDeadLetterQueueError(
      `${deadLetterQueue} is not listed in DEAD_LETTER_QUEUES of this service's dead-letter handler`,
    );
  }
  const owner = findDeadMessageOwner(record.body);
  if (!owner) {
    deps.logger.error('dead message names no job; left in its queue for an operator', {
      deadLetterQueue,
      redriveTo: route.redriveTo,
      messageId: record.messageId,
      body: record.body.slice(0, 2000),
      hiddenForSeconds: UNATTRIBUTED_PARK_SECONDS,
    });
    await deps.park(record, UNATTRIBUTED_PARK_SECONDS).catch((error: unknown) =>
      // Not parked: it comes back after the queue's visibility timeout, as it would have anyway.
      deps.logger.warn('could not park the dead message', { error, messageId: record.messageId }),
    );
    throw new UnattributedDeadLetterError(
      `a dead message in ${deadLetterQueue} names no job; inspect it, then move it back with npm run redrive -- ${deadLetterQueue}`,
    );
  }
  const attempts = deliveryAttempts(record);
  const eventBridgeError = ruleTargetError(record);
  const failure: JobFailed = {
    version: 1,
    jobId: owner.jobId,
    meta: causedMeta(
      { userId: owner.userId ?? UNKNOWN_USER, correlationId: owner.correlationId ?? owner.jobId },
      deps.now?.() ?? new Date(),
    ),
    stage: route.stage,
    code: 'DEAD_LETTER',
    reason:
      `a message for ${route.redriveTo} failed ${attempts} time(s) and was dead-lettered in ${deadLetterQueue}` +
      `${eventBridgeError ? ` (${eventBridgeError})` : ''}; see the logs of its consumer, fix the cause, ` +
      `then run npm run redrive -- --job ${owner.jobId}`,
    retryable: true,
    attempts,
    ...(owner.sceneIndex === undefined ? {} : { sceneIndex: owner.sceneIndex }),
    deadMessage: keptDeadMessage(deadLetterQueue, route.redriveTo, record.body, eventBridgeError),
  };
  await deps.publisher.publish(jobFailed, failure);
  deps.logger.warn('dead message became JobFailed', {
    jobId: owner.jobId,
    correlationId: failure.meta.correlationId,
    deadLetterQueue,
    stage: route.stage,
    attempts,
  });
  return failure;
}

function countDeadLetter(deps: DrainDeadLetterDeps, deadLetterQueue: string) {
  const metric = deps.metrics.singleMetric();
  metric.addDimension('deadLetterQueue', deadLetterQueue);
  metric.addMetric('DeadLetters', MetricUnit.Count, 1);
}

/**
 * How often the work was tried: EventBridge says so for a rule-target DLQ (RETRY_ATTEMPTS + the first
 * try); for a queue DLQ the receive count travels with the message, minus this handler's own receive.
 */
function deliveryAttempts(record: SQSRecord): number {
  const retries = record.messageAttributes.RETRY_ATTEMPTS?.stringValue;
  if (retries !== undefined && Number.isInteger(Number(retries))) return Number(retries) + 1;
  const received = Number(record.attributes.ApproximateReceiveCount);
  return Number.isInteger(received) && received > 1 ? received - 1 : 1;
}

function ruleTargetError(record: SQSRecord): string | undefined {
  const code = record.messageAttributes.ERROR_CODE?.stringValue;
  const message = record.messageAttributes.ERROR_MESSAGE?.stringValue;
  if (!code && !message) return undefined;
  return [code, message].filter(Boolean).join(': ').slice(0, 500);
}

function keptDeadMessage(
  deadLetterQueue: string,
  redriveTo: string,
  body: string,
  error: string | undefined,
): string {
  const kept: KeptDeadMessage = { deadLetterQueue, redriveTo, body, ...(error ? { error } : {}) };
  const json = JSON.stringify(kept);
  if (json.length <= MAX_DEAD_MESSAGE_CHARS) return json;
  const room = MAX_DEAD_MESSAGE_CHARS - (json.length - JSON.stringify(body).length) - 100;
  return JSON.stringify({ ...kept, body: body.slice(0, Math.max(0, room)), truncated: true });
}
