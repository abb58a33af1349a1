import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { TableDeps } from '../jobs/create-job';
import { apiJobPk, deliverySk } from '../table/api-table';
import { readCallbackRegistration } from './register-callback';

export const CALLBACK_EVENTS = ['job.completed', 'job.failed'] as const;
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];

/** The message on the callbacks queue: which delivery to attempt, and which attempt it is. */
export const deliveryMessageSchema = z.strictObject({
  jobId: z.string().min(1),
  event: z.enum(CALLBACK_EVENTS),
  attempt: z.number().int().min(1),
});
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

export interface Delivery {
  jobId: string;
  userId: string;
  event: CallbackEvent;
  /** The webhook-id: stable per job and event, so receivers can deduplicate too. */
  webhookId: string;
  url: string;
  payload: string;
  /**
   * SUPERSEDED: the job's outcome changed to another event before this one was sent, so it never will be.
   */
  status: 'PENDING' | 'DELIVERED' | 'DEAD_LETTERED' | 'SUPERSEDED';
  /** The key of the terminal event this callback reports (the job's `outcomeKey` when it was scheduled). */
  outcomeKey?: string;
  /** 0 for the first callback of this event; each re-sending for a later decision adds one. */
  revision?: number;
  attempts: number;
  enqueued: boolean;
  lastError?: string;
  deliveredAt?: string;
}

export interface DeliveryDeps extends TableDeps {
  sqs: SQSClient;
  queueUrl: string;
}

/**
 * Records one delivery per job and terminal event (a conditional put keyed by jobId+event) and queues
 * its first attempt. A duplicate or replayed event finds the delivery and queues nothing, unless the
 * first run died before queueing it. `outcomeKey` is the decision the callback reports: if the job's
 * outcome went to the other event and came back to this one with a different winner (three terminal
 * events), the delivery is re-armed for the new decision under a new webhook-id, so the receiver's
 * latest callback is the job's outcome.
 */
export async function scheduleDelivery(
  job: { jobId: string; userId: string },
  event: CallbackEvent,
  data: Record<string, unknown>,
  outcomeKey: string,
  deps: DeliveryDeps,
  now = new Date(),
): Promise<'scheduled' | 'duplicate' | 'no-callback'> {
  const registration = await readCallbackRegistration(job.userId, deps);
  if (!registration) return 'no-callback';
  const key = { pk: apiJobPk(job.jobId), sk: deliverySk(event) };
  const delivery = (revision: number): Delivery => ({
    jobId: job.jobId,
    userId: job.userId,
    event,
    webhookId: `msg_${job.jobId}_${event}${revision === 0 ? '' : `_${revision}`}`,
    url: registration.url,
    payload: JSON.stringify({
      type: event,
      timestamp: now.toISOString(),
      data: { jobId: job.jobId, ...data },
    }),
    status: 'PENDING',
    outcomeKey,
    revision,
    attempts: 0,
    enqueued: false,
  });
  try {
    await deps.doc.send(
      new PutCommand({
        TableName: deps.table,
        Item: { ...key, ...delivery(0) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const existing = await readDelivery(job.jobId, event, deps);
    if (!existing) return 'duplicate';
    if (existing.outcomeKey !== undefined && existing.outcomeKey !== outcomeKey) {
      const next = delivery((existing.revision ?? 0) + 1);
      const other = await readDelivery(job.jobId, otherEvent(event), deps);
      if (!tellsSomethingNew(existing, next, other)) return 'duplicate';
      if (!(await rearm(key, existing, next, deps))) return 'duplicate';
    } else if (existing.enqueued || existing.status !== 'PENDING') return 'duplicate';
  }
  await enqueueAttempt({ jobId: job.jobId, event, attempt: 1 }, 0, deps);
  await deps.doc.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: key,
      UpdateExpression: 'SET enqueued = :true',
      ExpressionAttributeValues: { ':true': true },
    }),
  );
  return 'scheduled';
}

const otherEvent = (event: CallbackEvent): CallbackEvent =>
  event === 'job.completed' ? 'job.failed' : 'job.completed';

const payloadOf = (d: Delivery) => JSON.parse(d.payload) as { timestamp: string; data: { status?: string } };

/**
 * Whether a delivery made for an earlier decision must be sent again for the new one: when it was never
 * sent (pending, or superseded at send time), when the other event's callback came after it (the outcome
 * went away and came back), or when it told another status (FAILED, then CANCELLED). A second video of a
 * COMPLETED job, or a dead letter replaced by a timeout, changes nothing the receiver was told.
 */
function tellsSomethingNew(existing: Delivery, next: Delivery, other: Delivery | undefined): boolean {
  if (existing.status === 'PENDING' || existing.status === 'SUPERSEDED') return true;
  if (other && payloadOf(other).timestamp >= payloadOf(existing).timestamp) return true;
  return payloadOf(existing).data.status !== payloadOf(next).data.status;
}

/** Replaces a delivery made for an earlier decision, unless another run replaced it first. */
async function rearm(
  key: Record<string, string>,
  existing: Delivery,
  next: Delivery,
  deps: DeliveryDeps,
): Promise<boolean> {
  try {
    await deps.doc.send(
      new PutCommand({
        TableName: deps.table,
        Item: { ...key, ...next },
        ConditionExpression: 'outcomeKey = :seen',
        ExpressionAttributeValues: { ':seen': existing.outcomeKey },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export async function enqueueAttempt(
  message: DeliveryMessage,
  delaySec: number,
  deps: DeliveryDeps,
): Promise<void> {
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.queueUrl,
      MessageBody: JSON.stringify(message),
      DelaySeconds: Math.round(delaySec),
    }),
  );
}

export async function readDelivery(
  jobId: string,
  event: CallbackEvent,
  deps: TableDeps,
): Promise<Delivery | undefined> {
  const { Item } = await deps.doc.send(
    new GetCommand({
      TableName: deps.table,
      Key: { pk: apiJobPk(jobId), sk: deliverySk(event) },
      ConsistentRead: true,
    }),
  );
  return Item as Delivery | undefined;
}
