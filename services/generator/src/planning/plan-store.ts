import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type ScenePlanned, scenePlannedSchema } from '@reelay/events';
import { z } from 'zod';

/**
 * The first plan made for a job, kept so a redelivered or replayed JobRequested publishes the same
 * scenes (a model planner would otherwise write different words each time).
 */
export interface PlanStore {
  /** Stores the plan unless one exists; returns the plan that is stored either way. */
  keep(jobId: string, scenes: ScenePlanned[]): Promise<ScenePlanned[]>;
  get(jobId: string): Promise<ScenePlanned[] | undefined>;
}

const key = (jobId: string) => ({ pk: `PLAN#${jobId}`, sk: 'PLAN' });
const storedSchema = z.array(scenePlannedSchema);
/** Plans outlive their job's rendering by a week, then DynamoDB's TTL removes them. */
const KEEP_SEC = 7 * 24 * 3600;

export class DynamoPlanStore implements PlanStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(jobId: string): Promise<ScenePlanned[] | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key(jobId), ConsistentRead: true }),
    );
    return Item ? storedSchema.parse(JSON.parse(String(Item.scenes))) : undefined;
  }

  async keep(jobId: string, scenes: ScenePlanned[]): Promise<ScenePlanned[]> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          // One JSON string: a DynamoDB map would not keep key order, and the scenes must be republished as they were.
          Item: {
            ...key(jobId),
            scenes: JSON.stringify(scenes),
            planner: scenes[0]?.planner,
            expiresAt: Math.floor(this.now().getTime() / 1000) + KEEP_SEC,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return scenes;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const stored = await this.get(jobId);
      if (!stored) throw error;
      return stored;
    }
  }
}
