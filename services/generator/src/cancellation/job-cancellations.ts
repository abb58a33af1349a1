import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { jobPk } from '../rendering/prediction-claims';

const CANCELLED_SK = 'CANCELLED';
const TTL_SEC = 7 * 24 * 3600;

export interface JobCancellation {
  jobId: string;
  stage: string;
  code: string;
  cancelledAt: string;
  /** Late webhooks and outputs that arrived after the cancel, ignored. */
  ignored?: string[];
}

/**
 * The marker a JobFailed leaves in the generator table: once it exists, nothing more is created,
 * stored or announced for the job, and late results are recorded on it instead.
 */
export class JobCancellations {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Writes the marker once; a redelivered JobFailed keeps the first one. */
  async markCancelled(jobId: string, stage: string, code: string, now: Date): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: jobPk(jobId),
            sk: CANCELLED_SK,
            jobId,
            stage,
            code,
            cancelledAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + TTL_SEC,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async get(jobId: string): Promise<JobCancellation | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: jobPk(jobId), sk: CANCELLED_SK },
        ConsistentRead: true,
      }),
    );
    return Item as JobCancellation | undefined;
  }

  async isCancelled(jobId: string): Promise<boolean> {
    return (await this.get(jobId)) !== undefined;
  }

  /** Records a late result (a webhook, an output) that was ignored because the job had ended. */
  async recordIgnored(jobId: string, what: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: jobPk(jobId), sk: CANCELLED_SK },
        UpdateExpression: 'SET ignored = list_append(if_not_exists(ignored, :empty), :what)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':empty': [], ':what': [what.slice(0, 300)] },
      }),
    );
  }
}
