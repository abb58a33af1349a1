import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
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
    if (!Item) return undefined;
    // Plans kept before compression hold the JSON as a string.
    const json = Item.plan ? unpackPlan(Item.plan as Uint8Array) : String(Item.scenes);
    return storedSchema.parse(JSON.parse(json));
  }

  async keep(jobId: string, scenes: ScenePlanned[]): Promise<ScenePlanned[]> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          // One JSON document: a DynamoDB map would not keep key order, and the scenes must be republished as they were.
          Item: {
            ...key(jobId),
            plan: packPlan(JSON.stringify(scenes)),
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

/** DynamoDB's item limit; a plan is refused before a write that DynamoDB would refuse anyway. */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * A plan of 601 scenes (a 300-page story) is about 700 KB of JSON, and every page's narration is in
 * it three times (the page's line, the narration scene's prompt and text), hundreds of KB apart:
 * brotli with a 16 MB window finds those repeats (gzip's 32 KB window does not) and keeps the
 * largest plan well under the 400 KB item (plan-store.test.ts measures the worst case).
 */
export function packPlan(json: string): Uint8Array {
  const packed = brotliCompressSync(Buffer.from(json, 'utf8'), {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 9,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(json, 'utf8'),
    },
  });
  if (packed.byteLength > MAX_ITEM_BYTES - 1024) {
    throw new Error(`the plan is ${packed.byteLength} bytes compressed, over DynamoDB's 400 KB item`);
  }
  return packed;
}

export function unpackPlan(packed: Uint8Array): string {
  return brotliDecompressSync(packed).toString('utf8');
}
