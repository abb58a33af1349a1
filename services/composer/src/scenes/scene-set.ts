import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EventMeta, OutputFormat, SceneKind, SceneReady } from '@reelay/events';
import { SceneCountMismatchError } from '../errors';

/**
 * The job's set of prepared scenes: a DynamoDB number set, so a duplicate SceneReady adds nothing
 * (a plain counter would count it twice and compose before the last scene). The same item holds
 * the composition lease and, once composed, the output.
 */
/** What compose needs to place a prepared scene on the timeline. */
export interface PreparedScene {
  kind: SceneKind;
  durationSec: number;
  caption?: string;
  alignTo?: number;
  /** A visual scene whose sound is silence (a still, a video without sound): the soundtrack skips it. */
  silent?: boolean;
}

/**
 * What the narration's prepare needs to render a page that arrived before it: the page's
 * SceneReady in brief (the rest, format and job, is the narration's own).
 */
export interface WaitingPage {
  key: string;
  provider: SceneReady['provider'];
  sceneCount: number;
  caption?: string;
}

export interface JobComposition {
  jobId: string;
  sceneCount: number;
  prepared: Set<number>;
  output: OutputFormat;
  meta: EventMeta;
  durations: Record<number, number>;
  /** Per scene index: its kind, caption and alignment (absent for scenes prepared before kinds existed). */
  scenes: Record<number, PreparedScene>;
  /**
   * Transitions prepare rendered as both their scenes became ready: the outgoing scene's index ->
   * the incoming one's (stored at transitionKey).
   */
  transitions: Record<number, number>;
  leaseOwner?: string;
  leaseUntil?: number;
  composed?: ComposedOutput;
  publishedAt?: string;
}
export interface ComposedOutput {
  key: string;
  thumbnailKey: string;
  durationSec: number;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  composeMs: number;
  captionsKey?: string;
}

const key = (jobId: string) => ({ pk: `JOB#${jobId}`, sk: 'COMPOSITION' });

export class SceneSet {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Adds a prepared scene; returns the job's state after the write. */
  async addPrepared(input: {
    jobId: string;
    sceneIndex: number;
    sceneCount: number;
    durationSec: number;
    output: OutputFormat;
    meta: EventMeta;
    scene?: PreparedScene;
  }): Promise<JobComposition> {
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(input.jobId),
          UpdateExpression:
            'ADD prepared :idx SET sceneCount = if_not_exists(sceneCount, :n), #output = if_not_exists(#output, :output), #meta = if_not_exists(#meta, :meta), #dur = :d, #scene = :scene, jobId = :jobId REMOVE #wait',
          ConditionExpression: 'attribute_not_exists(sceneCount) OR sceneCount = :n',
          ExpressionAttributeNames: {
            '#output': 'output',
            '#meta': 'meta',
            '#dur': `duration${input.sceneIndex}`,
            '#scene': `scene${input.sceneIndex}`,
            // A paced page that waited for its narration no longer waits (the item stays small).
            '#wait': `pageWait${input.sceneIndex}`,
          },
          ExpressionAttributeValues: {
            ':idx': new Set([input.sceneIndex]),
            ':n': input.sceneCount,
            ':output': input.output,
            ':meta': input.meta,
            ':d': input.durationSec,
            ':scene': input.scene ?? { kind: 'video', durationSec: input.durationSec },
            ':jobId': input.jobId,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toComposition(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        const current = await this.get(input.jobId);
        throw new SceneCountMismatchError(
          `scene ${input.sceneIndex} of job ${input.jobId} says ${input.sceneCount} scenes, but the job has ${current?.sceneCount}`,
        );
      }
      throw error;
    }
  }

  /**
   * A story's page that lasts as its narration (OutputFormat.pageTiming) records itself as waiting
   * for it; returns the narration's length when the narration was prepared first (the page is then
   * rendered by this caller), else undefined (the narration's prepare will render it).
   */
  async recordWaitingPage(jobId: string, pageIndex: number, page: WaitingPage): Promise<number | undefined> {
    const { Attributes } = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(jobId),
        UpdateExpression: 'SET #page = :page, jobId = :jobId',
        ExpressionAttributeNames: { '#page': `pageWait${pageIndex}` },
        ExpressionAttributeValues: { ':page': page, ':jobId': jobId },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const narrationSec = Attributes?.[`narrationSec${pageIndex}`];
    return narrationSec === undefined ? undefined : Number(narrationSec);
  }

  /**
   * The narration of a paced page records its length; returns the page when the page arrived
   * first and is not prepared yet (this caller renders it), else undefined. One UpdateItem each:
   * whichever of the two writes second sees both halves, so exactly one of them (and any
   * duplicate of that one, harmlessly) renders the page.
   */
  async recordNarrationLength(
    jobId: string,
    pageIndex: number,
    narrationSec: number,
  ): Promise<WaitingPage | undefined> {
    const { Attributes } = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(jobId),
        UpdateExpression: 'SET #narration = :sec, jobId = :jobId',
        ExpressionAttributeNames: { '#narration': `narrationSec${pageIndex}` },
        ExpressionAttributeValues: { ':sec': narrationSec, ':jobId': jobId },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const page = Attributes?.[`pageWait${pageIndex}`] as WaitingPage | undefined;
    const prepared = (Attributes?.prepared as Set<number> | undefined) ?? new Set<number>();
    return page && ![...prepared].map(Number).includes(pageIndex) ? page : undefined;
  }

  /**
   * Records the transition from scene `from` into scene `to` as rendered and stored: compose copies
   * it instead of rendering it. One attribute a transition (300 scenes: a few kB of the item).
   */
  async recordTransition(jobId: string, from: number, to: number): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(jobId),
        UpdateExpression: 'SET #transition = :to',
        ExpressionAttributeNames: { '#transition': `transition${from}` },
        ExpressionAttributeValues: { ':to': to },
      }),
    );
  }

  async get(jobId: string): Promise<JobComposition | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key(jobId), ConsistentRead: true }),
    );
    return Item ? toComposition(Item) : undefined;
  }

  /** Claims the composition for `owner` until `until` (epoch ms), unless it is published or leased by someone alive. */
  async claimLease(jobId: string, owner: string, now: number, until: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(jobId),
          UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(publishedAt) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeValues: { ':owner': owner, ':until': until, ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Extends `owner`'s lease to `until` (epoch ms) while it composes: false when the lease is no longer
   * its own (another composer claimed it after it lapsed) or the job was published meanwhile.
   */
  async renewLease(jobId: string, owner: string, until: number): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(jobId),
          UpdateExpression: 'SET leaseUntil = :until',
          ConditionExpression: 'leaseOwner = :owner AND attribute_not_exists(publishedAt)',
          ExpressionAttributeValues: { ':owner': owner, ':until': until },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async recordComposed(jobId: string, owner: string, composed: ComposedOutput): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(jobId),
        UpdateExpression: 'SET composed = :c',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':c': composed, ':owner': owner },
      }),
    );
  }

  /** Gives the lease up (a composer stopped before its time ran out), so a retry can claim it at once. */
  async releaseLease(jobId: string, owner: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(jobId),
          UpdateExpression: 'REMOVE leaseUntil, leaseOwner',
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async recordPublished(jobId: string, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(jobId),
        UpdateExpression: 'SET publishedAt = :at REMOVE leaseUntil',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }
}

function toComposition(item: Record<string, unknown>): JobComposition {
  const durations: Record<number, number> = {};
  const scenes: Record<number, PreparedScene> = {};
  const transitions: Record<number, number> = {};
  for (const [k, v] of Object.entries(item)) {
    const t = k.match(/^transition(\d+)$/);
    if (t) transitions[Number(t[1])] = Number(v);
    const m = k.match(/^duration(\d+)$/);
    if (m) durations[Number(m[1])] = Number(v);
    const s = k.match(/^scene(\d+)$/);
    if (s) scenes[Number(s[1])] = v as PreparedScene;
  }
  return {
    jobId: String(item.jobId),
    sceneCount: Number(item.sceneCount),
    prepared: new Set([...((item.prepared as Set<number> | undefined) ?? [])].map(Number)),
    output: item.output as OutputFormat,
    meta: item.meta as EventMeta,
    durations,
    scenes,
    transitions,
    ...(item.leaseOwner ? { leaseOwner: String(item.leaseOwner) } : {}),
    ...(item.leaseUntil ? { leaseUntil: Number(item.leaseUntil) } : {}),
    ...(item.composed ? { composed: item.composed as ComposedOutput } : {}),
    ...(item.publishedAt ? { publishedAt: String(item.publishedAt) } : {}),
  };
}

export const isComplete = (c: JobComposition) => c.prepared.size === c.sceneCount;

/** Narration and music are sound only, placed by the soundtrack; video, image and upload scenes make the picture. */
export const isAudioKind = (kind: SceneKind) => kind === 'narration' || kind === 'music';

/** What the set records of scene `index` (a scene prepared before kinds were recorded was a video). */
export const preparedSceneAt = (job: JobComposition, index: number): PreparedScene =>
  job.scenes[index] ?? { kind: 'video', durationSec: job.durations[index] ?? 0 };
