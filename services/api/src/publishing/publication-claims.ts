import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { apiJobPk } from '../table/api-table';
import type { UploadCheckpointStore } from './youtube-resumable-upload';

/**
 * One item per job and destination (`JOB#<jobId>` / `PUBLISH#<destinationKey>`): the claim that makes
 * publishing exactly once. A publisher takes it with a lease (a conditional write: nobody holds it and
 * it is not done), keeps the upload's session URI on it (a redelivery resumes that session instead of
 * uploading again), and marks it done once VideoPublished or PublishFailed is on the bus. A replayed or
 * redelivered VideoComposed finds it done and publishes nothing.
 */
export const publicationSk = (destinationKey: string) => `PUBLISH#${destinationKey}`;

export interface ClaimDeps {
  doc: Pick<DynamoDBDocumentClient, 'send'>;
  table: string;
}

export type Claim =
  | { state: 'claimed'; sessionUri?: string }
  | { state: 'done' }
  /** Another invocation holds a live lease (a concurrent duplicate): retry once it has ended. */
  | { state: 'held' };

export async function claimPublication(
  jobId: string,
  destinationKey: string,
  leaseMs: number,
  now: Date,
  deps: ClaimDeps,
): Promise<Claim> {
  const key = { pk: apiJobPk(jobId), sk: publicationSk(destinationKey) };
  try {
    const { Attributes } = await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: key,
        UpdateExpression: 'SET leaseUntil = :until ADD attempts :one',
        ConditionExpression:
          'attribute_not_exists(doneAt) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeValues: {
          ':until': now.getTime() + leaseMs,
          ':now': now.getTime(),
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const sessionUri = Attributes?.sessionUri;
    return typeof sessionUri === 'string' ? { state: 'claimed', sessionUri } : { state: 'claimed' };
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    const { Item } = await deps.doc.send(
      new GetCommand({ TableName: deps.table, Key: key, ConsistentRead: true }),
    );
    return Item?.doneAt ? { state: 'done' } : { state: 'held' };
  }
}

/** The claim's checkpoint store: the upload session lives on the claim item. */
export function claimCheckpoints(
  jobId: string,
  destinationKey: string,
  initial: string | undefined,
  deps: ClaimDeps,
): UploadCheckpointStore {
  let sessionUri = initial;
  return {
    load: async () => (sessionUri ? { sessionUri } : undefined),
    save: async (checkpoint) => {
      await deps.doc.send(
        new UpdateCommand({
          TableName: deps.table,
          Key: { pk: apiJobPk(jobId), sk: publicationSk(destinationKey) },
          UpdateExpression: 'SET sessionUri = :uri',
          ExpressionAttributeValues: { ':uri': checkpoint.sessionUri },
        }),
      );
      sessionUri = checkpoint.sessionUri;
    },
  };
}

/** The outcome is on the bus: no later delivery publishes this destination again. */
export async function completePublication(
  jobId: string,
  destinationKey: string,
  outcome: string,
  now: Date,
  deps: ClaimDeps,
): Promise<void> {
  await deps.doc.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: { pk: apiJobPk(jobId), sk: publicationSk(destinationKey) },
      UpdateExpression: 'SET doneAt = :at, outcome = :outcome REMOVE leaseUntil',
      ExpressionAttributeValues: { ':at': now.toISOString(), ':outcome': outcome },
    }),
  );
}

/** A failed attempt gives its lease back, so the queue's redelivery can claim at once. */
export async function releasePublication(
  jobId: string,
  destinationKey: string,
  deps: ClaimDeps,
): Promise<void> {
  await deps.doc
    .send(
      new UpdateCommand({
        TableName: deps.table,
        Key: { pk: apiJobPk(jobId), sk: publicationSk(destinationKey) },
        UpdateExpression: 'REMOVE leaseUntil',
        ConditionExpression: 'attribute_not_exists(doneAt)',
        ExpressionAttributeValues: undefined,
      }),
    )
    .catch((error: { name?: string }) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
}
