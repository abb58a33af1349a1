import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * One claim per scene attempt, written BEFORE the prediction is created, so redelivery or a crash
 * never creates a second paid prediction for the same attempt.
 */
export interface ClaimKey {
  jobId: string;
  sceneIndex: number;
  attempt: number;
}
export interface Claim extends ClaimKey {
  claimedAt: string;
  predictionId?: string;
  storedKey?: string;
}

const key = (k: ClaimKey) => ({
  pk: `SCENE#${k.jobId}#${String(k.sceneIndex).padStart(2, '0')}`,
  sk: `ATTEMPT#${k.attempt}`,
});

export class PredictionClaims {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Returns true when this caller made the claim, false when it already existed. */
  async claim(k: ClaimKey, now: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key(k), ...k, claimedAt: now.toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(k: ClaimKey): Promise<Claim | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key(k), ConsistentRead: true }),
    );
    return Item as Claim | undefined;
  }

  async recordPrediction(k: ClaimKey, predictionId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(k),
        UpdateExpression: 'SET predictionId = :p',
        ConditionExpression: 'attribute_not_exists(predictionId) OR predictionId = :p',
        ExpressionAttributeValues: { ':p': predictionId },
      }),
    );
  }

  async recordStored(k: ClaimKey, storedKey: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(k),
        UpdateExpression: 'SET storedKey = :k',
        ExpressionAttributeValues: { ':k': storedKey },
      }),
    );
  }
}
