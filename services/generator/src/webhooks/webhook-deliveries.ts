import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

const key = (webhookId: string) => ({ pk: `WEBHOOK#${webhookId}`, sk: 'DELIVERY' });
/** Replicate retries a delivery for far less than a day; the record outlives every retry. */
const TTL_SEC = 24 * 3600;

/** Webhook ids already handled: a second delivery of the same id is a no-op (docs/architecture.md, security rules). */
export class WebhookDeliveries {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async seen(webhookId: string): Promise<boolean> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key(webhookId), ConsistentRead: true }),
    );
    return Item !== undefined;
  }

  /** Records a handled delivery; false when another delivery of the same id was recorded first. */
  async record(webhookId: string, predictionId: string, now: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...key(webhookId),
            predictionId,
            handledAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + TTL_SEC,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
