import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import {
  type AnyEventDefinition,
  type DecodedEvent,
  decodeEvent,
  type EventPublisher,
  JOB_FAILED,
  VIDEO_COMPOSED,
} from '@reelay/events';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { findDeadMessageOwner } from '../dead-letters/dead-message';
import { type FailureStage, failJobOrRethrow } from '../failures/fail-job';
import type { Powertools } from '../powertools';
import { type JobKeys, loggerWithKeys, type RecordLogger } from './record-logger';
import { type BuiltHandler, withPowertools } from './with-powertools';

/** What the work on one record gets besides the record. */
export interface RecordWork {
  /** Logs with the invocation's context and the record's job (jobId, correlationId). */
  logger: RecordLogger;
  record: SQSRecord;
  context: Context;
  /**
   * Names the job's owner when the body did not (a service-internal message carrying only a jobId):
   * later log lines, and a JobFailed for this record, carry them.
   */
  identify(meta: { userId: string; correlationId: string }): void;
}

export interface ConsumerOptions {
  /**
   * Where a record that fails for good (a non-retryable error, a message that does not decode) ends:
   * JobFailed(stage, retryable: false) for the job it names, published at once; the record is then
   * done (no retries, no dead letter). Without it every failure is retried, then dead-lettered.
   */
  failJobAs?: { stage: FailureStage; publisher: Pick<EventPublisher, 'publish'> };
  /** Records of one batch are processed in parallel unless this is false. */
  parallel?: boolean;
}

export type SqsConsumer = BuiltHandler<SQSEvent, SQSBatchResponse>;

/**
 * An SQS consumer of plain records (service-internal messages, Step Functions status changes):
 * Powertools batch processing with partial batch failures, so one bad record never fails its
 * neighbours, on the one handler base. The record's job, if its body names one, is in every log line.
 */
export function recordConsumer(
  powertools: Powertools,
  options: ConsumerOptions,
  handle: (record: SQSRecord, work: RecordWork) => Promise<void>,
): SqsConsumer {
  return consumer(powertools, options, async (record, work) => handle(record, work));
}

/** recordConsumer for EventBridge events: each record is decoded into one of the `expected` events first. */
export function eventConsumer<D extends AnyEventDefinition>(
  powertools: Powertools,
  expected: readonly D[],
  options: ConsumerOptions,
  handle: (event: DecodedEvent<D>, work: RecordWork) => Promise<void>,
): SqsConsumer {
  return consumer(powertools, options, async (record, work) => {
    const event = decodeEvent(record.body, expected);
    work.decoded = true;
    await handle(event, work);
  });
}

interface InternalWork extends RecordWork {
  /** Set once the body decoded into an expected event. */
  decoded?: boolean;
}

/** Events that already give their job an outcome: failing to handle one must not fail the job again. */
const TERMINAL_EVENTS: readonly string[] = [JOB_FAILED, VIDEO_COMPOSED];

function consumer(
  powertools: Powertools,
  options: ConsumerOptions,
  handle: (record: SQSRecord, work: InternalWork) => Promise<void>,
): SqsConsumer {
  const processor = new BatchProcessor(EventType.SQS);
  return withPowertools(powertools, (event: SQSEvent, context: Context) =>
    processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const owner = findDeadMessageOwner(record.body);
        const keys: JobKeys = {
          jobId: owner?.jobId,
          correlationId: owner?.correlationId,
          sceneIndex: owner?.sceneIndex,
        };
        const work: InternalWork = {
          logger: loggerWithKeys(powertools.logger, keys),
          record,
          context,
          identify: (meta) => {
            if (!owner) return;
            owner.userId = meta.userId;
            owner.correlationId = meta.correlationId;
            keys.correlationId = meta.correlationId;
          },
        };
        try {
          await handle(record, work);
        } catch (error) {
          await endRecord(error, record, work, owner, options);
        }
      },
      processor,
      { context, throwOnFullBatchFailure: false, processInParallel: options.parallel ?? true },
    ),
  );
}

/**
 * The one place a consumer's failure is classified: a permanent one becomes JobFailed at once (when
 * the consumer says where, and the record names its job); anything else is rethrown, so the record
 * is retried by SQS and finally dead-lettered (and drained into JobFailed, retryable).
 */
async function endRecord(
  error: unknown,
  record: SQSRecord,
  work: InternalWork,
  owner: ReturnType<typeof findDeadMessageOwner>,
  options: ConsumerOptions,
): Promise<void> {
  const failJobAs = options.failJobAs;
  // A terminal event that decoded but could not be handled: its job has its outcome already, so it
  // is retried and dead-lettered for an operator rather than failing the job a second time.
  const alreadyEnded = work.decoded === true && TERMINAL_EVENTS.includes(detailTypeOf(record.body) ?? '');
  if (!failJobAs || !owner || alreadyEnded) {
    work.logger.error('record failed; it will be retried', { error, ...delivery(record) });
    throw error;
  }
  try {
    const failure = await failJobOrRethrow(
      error,
      {
        jobId: owner.jobId,
        // A body that names its job but not its owner: the ledger keeps the owner it knows.
        meta: { userId: owner.userId ?? 'unknown', correlationId: owner.correlationId ?? owner.jobId },
        stage: failJobAs.stage,
        ...(owner.sceneIndex === undefined ? {} : { sceneIndex: owner.sceneIndex }),
        deadMessage: record.body,
      },
      failJobAs.publisher,
    );
    work.logger.warn('record failed for good; job failed', {
      error,
      ...delivery(record),
      stage: failure.stage,
      code: failure.code,
    });
  } catch (rethrown) {
    work.logger.error('record failed; it will be retried', { error: rethrown, ...delivery(record) });
    throw rethrown;
  }
}

/** Which message and which delivery of it (1 on the first receive: a failure on it was not a retry). */
const delivery = (record: SQSRecord) => ({
  messageId: record.messageId,
  receiveCount: Number(record.attributes.ApproximateReceiveCount),
});

function detailTypeOf(body: string): string | undefined {
  try {
    const type = (JSON.parse(body) as { 'detail-type'?: unknown })['detail-type'];
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}
