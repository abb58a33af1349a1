import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { readApiJob } from '../jobs/create-job';
import { apiJobPk, deliverySk } from '../table/api-table';
import {
  type CallbackUrlPolicy,
  CallbackUrlRefusedError,
  checkCallbackUrl,
  type Resolve,
} from './callback-url';
import { type DeliveryDeps, type DeliveryMessage, enqueueAttempt, readDelivery } from './deliveries';
import type { CallbackPost } from './post-callback';
import { readCallbackRegistration } from './register-callback';

export interface DeliverCallbackDeps extends DeliveryDeps {
  dlqUrl: string;
  policy: CallbackUrlPolicy;
  post: CallbackPost;
  resolve?: Resolve;
  maxAttempts: number;
  /** Back-off base: attempt n waits a random time up to min(900, base * 2^n) seconds (full jitter). */
  backoffBaseSec: number;
  random?: () => number;
  now?: () => Date;
}

export type DeliveryResult = 'delivered' | 'skipped' | 'superseded' | 'retry-scheduled' | 'dead-lettered';

/** SQS's longest message delay. */
const MAX_DELAY_SEC = 900;

export function backoffDelaySec(
  attempt: number,
  baseSec: number,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(MAX_DELAY_SEC, baseSec * 2 ** attempt));
}

/**
 * One delivery attempt: a Standard Webhooks-signed POST with the user's secret. A delivery already
 * delivered (or dead-lettered) is skipped, so redelivered and replayed messages send nothing twice.
 * A failure queues the next attempt with exponential back-off and jitter (SQS delay); after
 * `maxAttempts` the delivery is marked DEAD_LETTERED (visible on the job) and sent to the callbacks DLQ.
 * The URL is the user's registration at send time, checked again; an unsafe one (or no registration)
 * is dead-lettered on the spot, as retrying cannot make it safe.
 * A delivery whose event is no longer the job's outcome (another terminal event won meanwhile, by the
 * shared rule) is marked SUPERSEDED and never sent: the winner's own callback is on its way.
 */
export async function deliverCallback(
  message: DeliveryMessage,
  deps: DeliverCallbackDeps,
): Promise<DeliveryResult> {
  const delivery = await readDelivery(message.jobId, message.event, deps);
  if (delivery?.status !== 'PENDING') return 'skipped';
  if (delivery.outcomeKey !== undefined) {
    const job = await readApiJob(message.jobId, deps);
    if (job?.outcomeKey !== delivery.outcomeKey) {
      await update(message, deps, 'SET #status = :superseded', { ':superseded': 'SUPERSEDED' });
      return 'superseded';
    }
  }
  const registration = await readCallbackRegistration(delivery.userId, deps);
  const now = deps.now?.() ?? new Date();
  let error: string;
  /** An attempt that cannot succeed later (no registration, an unsafe URL) is dead-lettered at once. */
  let final = false;
  if (!registration) {
    error = 'the callback registration was removed';
    final = true;
  } else {
    try {
      // The registration as it is now, not the URL captured when the job ended: a URL the user replaced
      // (or one that became unsafe) is never called.
      const target = await checkCallbackUrl(registration.url, deps.policy, deps.resolve);
      const signature = new Webhook(registration.secret).sign(delivery.webhookId, now, delivery.payload);
      const result = await deps.post(target, delivery.payload, {
        'webhook-id': delivery.webhookId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      });
      if (result.ok) {
        await update(message, deps, 'SET #status = :delivered, attempts = :attempt, deliveredAt = :now', {
          ':delivered': 'DELIVERED',
          ':attempt': message.attempt,
          ':now': now.toISOString(),
        });
        return 'delivered';
      }
      error = result.error;
    } catch (e) {
      if (!(e instanceof CallbackUrlRefusedError)) throw e;
      error = e.message;
      final = !e.retryable;
    }
  }
  if (final || message.attempt >= deps.maxAttempts) {
    await update(message, deps, 'SET #status = :dead, attempts = :attempt, lastError = :error', {
      ':dead': 'DEAD_LETTERED',
      ':attempt': message.attempt,
      ':error': error.slice(0, 500),
    });
    await deps.sqs.send(
      new SendMessageCommand({ QueueUrl: deps.dlqUrl, MessageBody: JSON.stringify({ ...message, error }) }),
    );
    return 'dead-lettered';
  }
  await update(message, deps, 'SET attempts = :attempt, lastError = :error', {
    ':attempt': message.attempt,
    ':error': error.slice(0, 500),
  });
  const next = { ...message, attempt: message.attempt + 1 };
  await enqueueAttempt(next, backoffDelaySec(message.attempt, deps.backoffBaseSec, deps.random), deps);
  return 'retry-scheduled';
}

async function update(
  message: DeliveryMessage,
  deps: DeliverCallbackDeps,
  expression: string,
  values: Record<string, unknown>,
) {
  try {
    await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: { pk: apiJobPk(message.jobId), sk: deliverySk(message.event) },
        UpdateExpression: expression,
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...values, ':pending': 'PENDING' },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
