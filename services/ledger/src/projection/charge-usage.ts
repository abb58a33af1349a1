import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { PredictionSpend } from '@reelay/events';
import { JOB_SK, jobPk, sceneSk, usageDay, usageSk, userUsagePk, userUsageSk } from '@reelay/job-records';
import type { TableDeps } from './job-item';

export interface Charge {
  jobId: string;
  userId: string;
  sceneIndex?: number;
  prediction: PredictionSpend;
  /** When the event that reported the prediction happened: picks the user's usage day. */
  occurredAt: string;
  chargedAt: string;
}

/**
 * Charges one prediction once: the usage entry (keyed by predictionId) is put only if absent, in the
 * same transaction as the ADDs to the scene, job and user-day totals, so a duplicate, redrive or
 * replay of any event that reports it charges nothing. Returns whether this call charged it.
 */
export async function chargePrediction(deps: TableDeps, charge: Charge): Promise<boolean> {
  const { jobId, userId, sceneIndex, prediction } = charge;
  const add = (Key: Record<string, string>) => ({
    Update: {
      TableName: deps.table,
      Key,
      UpdateExpression: 'ADD costUsd :cost, predictions :one',
      ExpressionAttributeValues: { ':cost': prediction.costUsd, ':one': 1 },
    },
  });
  try {
    await deps.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: deps.table,
              Item: {
                pk: jobPk(jobId),
                sk: usageSk(prediction.predictionId),
                predictionId: prediction.predictionId,
                attempt: prediction.attempt,
                status: prediction.status,
                costUsd: prediction.costUsd,
                chargedAt: charge.chargedAt,
                ...(sceneIndex === undefined ? {} : { sceneIndex }),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          add({ pk: jobPk(jobId), sk: JOB_SK }),
          ...(sceneIndex === undefined ? [] : [add({ pk: jobPk(jobId), sk: sceneSk(sceneIndex) })]),
          add({ pk: userUsagePk(userId), sk: userUsageSk(usageDay(charge.occurredAt)) }),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
    )
      return false; // charged before
    throw error;
  }
}
