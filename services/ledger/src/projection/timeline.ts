import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EventEnvelope } from '@reelay/events';
import { jobPk, timelineSk } from '@reelay/job-records';
import type { TableDeps } from './job-item';

export interface TimelineFact {
  jobId: string;
  envelope: EventEnvelope;
  occurredAt: string;
  recordedAt: string;
  sceneIndex?: number;
  /** JobFailed: its stage, so each failing stage has its own entry. */
  stage?: string;
}

/** One timeline entry per event, keyed by business keys: a duplicate or replay keeps the first. */
export async function recordTimeline(deps: TableDeps, fact: TimelineFact): Promise<void> {
  try {
    await deps.doc.send(
      new PutCommand({
        TableName: deps.table,
        Item: {
          pk: jobPk(fact.jobId),
          sk: timelineSk(fact.envelope.detailType, fact.sceneIndex, fact.stage),
          detailType: fact.envelope.detailType,
          source: fact.envelope.source,
          occurredAt: fact.occurredAt,
          recordedAt: fact.recordedAt,
          ...(fact.sceneIndex === undefined ? {} : { sceneIndex: fact.sceneIndex }),
          ...(fact.stage === undefined ? {} : { stage: fact.stage }),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
