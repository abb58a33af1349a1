import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * A long job's chunk set, beside its scene set (same table, sort key CHUNKS): the parts of a
 * chunked composition (chunk 0..chunkCount-1 and the soundtrack, part chunkCount), which are done
 * (a number set: a duplicate completion adds nothing) and who holds each part's claim (a
 * conditional write with an expiry: a part is composed by one invocation at a time, and a crashed
 * one's claim lapses so its redelivered message can take it). Small at any size: counts and a set
 * of part numbers, no list of scenes (the plan is recomputed from the scene set).
 */
export interface ChunkSetState {
  jobId: string;
  chunkCount: number;
  scenesPerChunk: number;
  /** chunkCount + 1: the chunks and the soundtrack. */
  parts: number;
  done: Set<number>;
  /** Set once every part's message was sent (a composer that died before leaves it unset). */
  dispatched: boolean;
}

const key = (jobId: string) => ({ pk: `JOB#${jobId}`, sk: 'CHUNKS' });
const claimName = (part: number) => `claim${part}`;

export class ChunkSet {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Creates the set once; returns the set as stored (the first writer's, whoever wrote it). */
  async create(jobId: string, chunkCount: number, scenesPerChunk: number): Promise<ChunkSetState> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key(jobId), jobId, chunkCount, scenesPerChunk, dispatched: false },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const stored = await this.get(jobId);
    if (!stored) throw new Error(`chunk set of job ${jobId} vanished after its creation`);
    return stored;
  }

  async get(jobId: string): Promise<ChunkSetState | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key(jobId), ConsistentRead: true }),
    );
    return Item ? toState(Item) : undefined;
  }

  async markDispatched(jobId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(jobId),
        UpdateExpression: 'SET dispatched = :yes',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
  }

  /**
   * Claims a part for `owner` until `until` (epoch ms), unless it is done or claimed by someone
   * whose claim has not expired. `claimedUntil` says when a held claim lapses.
   */
  async claim(
    jobId: string,
    part: number,
    owner: string,
    now: number,
    until: number,
  ): Promise<{ claimed: true } | { claimed: false; done: boolean; claimedUntil?: number }> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(jobId),
          UpdateExpression: 'SET #claim = :claim',
          ConditionExpression:
            'attribute_exists(pk) AND NOT contains(done, :part) AND (attribute_not_exists(#claim) OR #claim.#until < :now)',
          ExpressionAttributeNames: { '#claim': claimName(part), '#until': 'until' },
          ExpressionAttributeValues: { ':claim': { owner, until }, ':part': part, ':now': now },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: key(jobId), ConsistentRead: true }),
      );
      if (!Item) throw new Error(`job ${jobId} has no chunk set`);
      const state = toState(Item);
      const held = Item[claimName(part)] as { until?: number } | undefined;
      return {
        claimed: false,
        done: state.done.has(part),
        ...(held?.until === undefined ? {} : { claimedUntil: Number(held.until) }),
      };
    }
  }

  /**
   * Extends `owner`'s claim on a part to `until` while it renders (composePart's lease keeper):
   * false when the claim is no longer its own (it lapsed and another invocation took it) or the part
   * is done.
   */
  async renewClaim(jobId: string, part: number, owner: string, until: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(jobId),
          UpdateExpression: 'SET #claim.#until = :until',
          ConditionExpression: '#claim.#owner = :owner AND NOT contains(done, :part)',
          ExpressionAttributeNames: { '#claim': claimName(part), '#until': 'until', '#owner': 'owner' },
          ExpressionAttributeValues: { ':until': until, ':owner': owner, ':part': part },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Records a part done (its output stored) by the owner of its claim; returns the set after the
   * write. A claim lost to another owner (this one lapsed) fails the condition: that owner's
   * output stands, this one's is not counted.
   */
  async complete(jobId: string, part: number, owner: string): Promise<ChunkSetState> {
    const { Attributes } = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(jobId),
        UpdateExpression: 'ADD done :part REMOVE #claim',
        ConditionExpression: '#claim.#owner = :owner',
        ExpressionAttributeNames: { '#claim': claimName(part), '#owner': 'owner' },
        ExpressionAttributeValues: { ':part': new Set([part]), ':owner': owner },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toState(Attributes ?? {});
  }

  /** Gives a claim back (a part that failed), so its retry need not wait for it to lapse. */
  async release(jobId: string, part: number, owner: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(jobId),
          UpdateExpression: 'REMOVE #claim',
          ConditionExpression: '#claim.#owner = :owner',
          ExpressionAttributeNames: { '#claim': claimName(part), '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

function toState(item: Record<string, unknown>): ChunkSetState {
  const chunkCount = Number(item.chunkCount);
  return {
    jobId: String(item.jobId),
    chunkCount,
    scenesPerChunk: Number(item.scenesPerChunk),
    parts: chunkCount + 1,
    done: new Set([...((item.done as Set<number> | undefined) ?? [])].map(Number)),
    dispatched: item.dispatched === true,
  };
}

export const isChunkSetComplete = (set: ChunkSetState) => set.done.size === set.parts;
