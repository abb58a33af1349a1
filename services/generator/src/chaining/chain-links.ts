import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type ScenePlanned, scenePlannedSchema } from '@reelay/events';
import { z } from 'zod';

/**
 * The two halves of a chain link, each written by whichever event arrives: the chained scene
 * (ScenePlanned k+1, chainedFrom k) and the stored clip of the scene it continues (SceneReady k).
 * Each side writes its half, then reads the other's with a consistent read, so whichever arrives
 * second always sees both and starts the render (both may; the execution name makes that one).
 */
export interface ReadyClip {
  jobId: string;
  sceneIndex: number;
  key: string;
}

export interface ChainLinks {
  putChainedScene(scene: ScenePlanned & { chainedFrom: number }): Promise<void>;
  /** The scene chained from `sceneIndex`, if it was planned. */
  chainedSceneAfter(jobId: string, sceneIndex: number): Promise<ScenePlanned | undefined>;
  putReadyClip(clip: ReadyClip): Promise<void>;
  readyClip(jobId: string, sceneIndex: number): Promise<ReadyClip | undefined>;
}

const pad = (n: number) => String(n).padStart(2, '0');
const pk = (jobId: string) => `CHAIN#${jobId}`;
/** Chain links live as long as a job can (its deadline is at most six hours). */
const KEEP_SEC = 24 * 3600;
const readySchema = z.object({ jobId: z.string(), sceneIndex: z.number().int(), key: z.string() });

export class DynamoChainLinks implements ChainLinks {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private expiresAt() {
    return Math.floor(this.now().getTime() / 1000) + KEEP_SEC;
  }

  async putChainedScene(scene: ScenePlanned & { chainedFrom: number }): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: pk(scene.jobId),
          sk: `AFTER#${pad(scene.chainedFrom)}`,
          // A JSON string keeps the scene exactly as planned, so both paths start the same input.
          scene: JSON.stringify(scene),
          expiresAt: this.expiresAt(),
        },
      }),
    );
  }

  async chainedSceneAfter(jobId: string, sceneIndex: number): Promise<ScenePlanned | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: pk(jobId), sk: `AFTER#${pad(sceneIndex)}` },
        ConsistentRead: true,
      }),
    );
    return Item ? scenePlannedSchema.parse(JSON.parse(String(Item.scene))) : undefined;
  }

  async putReadyClip(clip: ReadyClip): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: pk(clip.jobId),
          sk: `READY#${pad(clip.sceneIndex)}`,
          ...clip,
          expiresAt: this.expiresAt(),
        },
      }),
    );
  }

  async readyClip(jobId: string, sceneIndex: number): Promise<ReadyClip | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: pk(jobId), sk: `READY#${pad(sceneIndex)}` },
        ConsistentRead: true,
      }),
    );
    return Item ? readySchema.parse(Item) : undefined;
  }
}
