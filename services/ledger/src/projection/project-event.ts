import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DecodedEvent, EventEnvelope } from '@reelay/events';
import { JOB_SK, type JobStatus, jobPk, STATUS_RANK, sceneSk, timelineSk } from '@reelay/job-records';
import type { LedgerEvents } from './ledger-events';

export interface ProjectionDeps {
  doc: DynamoDBDocumentClient;
  table: string;
  now?: () => Date;
}

/**
 * Projects one event onto the job's record. Every write is idempotent on business keys (job, event
 * type, scene), so duplicates, redeliveries and replays converge to the same record in any order.
 */
export async function projectEvent(event: DecodedEvent<LedgerEvents>, deps: ProjectionDeps): Promise<void> {
  const recordedAt = (deps.now?.() ?? new Date()).toISOString();
  const { detail } = event;
  const sceneIndex = 'sceneIndex' in detail ? detail.sceneIndex : undefined;
  await recordTimeline(deps, detail.jobId, event.envelope, detail.meta.occurredAt, recordedAt, sceneIndex);

  switch (event.type) {
    case 'JobRequested': {
      const d = event.detail;
      await updateJob(deps, d.jobId, d.meta.userId, recordedAt, {
        spec: d.spec,
        createdAt: d.meta.occurredAt,
        deadlineAt: d.deadlineAt,
        ...(d.parentJobId ? { parentJobId: d.parentJobId } : {}),
      });
      await advanceStatus(deps, d.jobId, 'REQUESTED');
      return;
    }
    case 'ScenePlanned': {
      const d = event.detail;
      await updateJob(deps, d.jobId, d.meta.userId, recordedAt, { sceneCount: d.sceneCount });
      await putSceneIfAbsent(deps, d.jobId, d.sceneIndex, {
        kind: d.kind,
        prompt: d.prompt,
        durationSec: d.durationSec,
        status: 'planned',
      });
      await advanceStatus(deps, d.jobId, 'RENDERING');
      return;
    }
    case 'SceneReady': {
      const d = event.detail;
      await updateJob(deps, d.jobId, d.meta.userId, recordedAt, { sceneCount: d.sceneCount });
      await deps.doc.send(
        new UpdateCommand({
          TableName: deps.table,
          Key: { pk: jobPk(d.jobId), sk: sceneSk(d.sceneIndex) },
          UpdateExpression:
            'SET sceneIndex = :i, kind = :k, #status = :ready, durationSec = :d, costUsd = :c, #key = :key',
          ExpressionAttributeNames: { '#status': 'status', '#key': 'key' },
          ExpressionAttributeValues: {
            ':i': d.sceneIndex,
            ':k': d.kind,
            ':ready': 'ready',
            ':d': d.durationSec,
            ':c': d.costUsd,
            ':key': d.key,
          },
        }),
      );
      await advanceStatus(deps, d.jobId, 'RENDERING');
      return;
    }
    case 'VideoComposed': {
      const d = event.detail;
      const { jobId: _j, meta: _m, version: _v, sceneCount, ...output } = d;
      await updateJob(deps, d.jobId, d.meta.userId, recordedAt, {
        output,
        sceneCount,
        completedAt: d.meta.occurredAt,
      });
      await advanceStatus(deps, d.jobId, 'COMPLETED');
      return;
    }
    case 'JobFailed': {
      const d = event.detail;
      const failure = {
        stage: d.stage,
        code: d.code,
        reason: d.reason,
        retryable: d.retryable,
        ...(d.sceneIndex === undefined ? {} : { sceneIndex: d.sceneIndex }),
      };
      // The first failure is the one that ended the job; later ones only add to the timeline.
      if (await advanceStatus(deps, d.jobId, 'FAILED')) {
        await updateJob(deps, d.jobId, d.meta.userId, recordedAt, { failure, failedAt: d.meta.occurredAt });
      } else {
        await updateJob(deps, d.jobId, d.meta.userId, recordedAt, {});
      }
      return;
    }
  }
}

async function recordTimeline(
  deps: ProjectionDeps,
  jobId: string,
  envelope: EventEnvelope,
  occurredAt: string,
  recordedAt: string,
  sceneIndex?: number,
) {
  try {
    await deps.doc.send(
      new PutCommand({
        TableName: deps.table,
        Item: {
          pk: jobPk(jobId),
          sk: timelineSk(envelope.detailType, sceneIndex),
          detailType: envelope.detailType,
          source: envelope.source,
          occurredAt,
          recordedAt,
          ...(sceneIndex === undefined ? {} : { sceneIndex }),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error; // already recorded: a duplicate
  }
}

async function updateJob(
  deps: ProjectionDeps,
  jobId: string,
  userId: string,
  recordedAt: string,
  fields: Record<string, unknown>,
) {
  // Whichever event creates the job item gives it the first status, so a record is never without one.
  const names: Record<string, string> = {
    '#userId': 'userId',
    '#updatedAt': 'updatedAt',
    '#status': 'status',
  };
  const values: Record<string, unknown> = {
    ':userId': userId,
    ':updatedAt': recordedAt,
    ':firstStatus': 'REQUESTED',
    ':firstRank': STATUS_RANK.REQUESTED,
  };
  const sets = [
    '#userId = if_not_exists(#userId, :userId)',
    '#updatedAt = :updatedAt',
    '#status = if_not_exists(#status, :firstStatus)',
    'statusRank = if_not_exists(statusRank, :firstRank)',
  ];
  for (const [k, v] of Object.entries(fields)) {
    names[`#${k}`] = k;
    values[`:${k}`] = v;
    sets.push(`#${k} = :${k}`);
  }
  await deps.doc.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: { pk: jobPk(jobId), sk: JOB_SK },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/** Moves the job's status forward only; returns whether this event moved it. */
async function advanceStatus(deps: ProjectionDeps, jobId: string, status: JobStatus): Promise<boolean> {
  try {
    await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: { pk: jobPk(jobId), sk: JOB_SK },
        UpdateExpression: 'SET #status = :status, statusRank = :rank',
        ConditionExpression: 'attribute_not_exists(statusRank) OR statusRank < :rank',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':rank': STATUS_RANK[status] },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

async function putSceneIfAbsent(
  deps: ProjectionDeps,
  jobId: string,
  sceneIndex: number,
  fields: Record<string, unknown>,
) {
  try {
    await deps.doc.send(
      new PutCommand({
        TableName: deps.table,
        Item: { pk: jobPk(jobId), sk: sceneSk(sceneIndex), sceneIndex, ...fields },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    // The scene is already known (planned twice, or its SceneReady came first): keep what is there.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
