import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { PredictionSpend, ScenePlanned } from '@reelay/events';

/**
 * One claim per scene attempt, written BEFORE the prediction is created, so redelivery or a crash
 * never creates a second paid prediction for the same attempt. The claim carries a random token that
 * also travels in the prediction's webhook URL (so a webhook names the claim it is for). A claim
 * whose prediction id was never recorded (a crash between create and record) is reconciled by
 * finding the prediction of its scene's model with its input (find-claimed-prediction.ts): Replicate's
 * prediction object has no webhook field to find the token in.
 *
 * Layout in the generator table: pk `JOB#<jobId>`, sk `SCENE#<nn>#ATTEMPT#<nn>`, so every claim of a
 * job (cancellation) or of a scene (its cost) is one Query.
 */
export interface ClaimKey {
  jobId: string;
  sceneIndex: number;
  attempt: number;
}

export type PredictionOutcome = Pick<PredictionSpend, 'status' | 'costUsd'>;

export interface Claim extends ClaimKey {
  token: string;
  claimedAt: string;
  /** When the last create call started; `notCreated` says that it certainly created nothing. */
  createStartedAt: string;
  notCreated?: boolean;
  predictionId?: string;
  outcome?: PredictionOutcome;
  /** The planned scene, so a webhook (which carries only jobId, sceneIndex, attempt) can store it. */
  scene: ScenePlanned;
  firstFrameKey?: string;
  storeLeaseUntil?: string;
  storedKey?: string;
  announcedAt?: string;
  /**
   * The task token of RenderScene's AwaitPrediction task now waiting on this prediction: the
   * webhook completes that task with it (SendTaskSuccess/SendTaskFailure). Each wait records its own.
   */
  taskToken?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
export const jobPk = (jobId: string) => `JOB#${jobId}`;
const scenePrefix = (sceneIndex: number) => `SCENE#${pad(sceneIndex)}#`;
const key = (k: ClaimKey) => ({
  pk: jobPk(k.jobId),
  sk: `${scenePrefix(k.sceneIndex)}ATTEMPT#${pad(k.attempt)}`,
});
/** Claims are working state: DynamoDB's TTL removes them a week after the claim. */
const TTL_SEC = 7 * 24 * 3600;

export type StoreLease = 'acquired' | 'announced' | 'held';

export class PredictionClaims {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Claims the attempt. Returns the new claim, or undefined when it already existed. */
  async claim(
    k: ClaimKey,
    scene: ScenePlanned,
    now: Date,
    firstFrameKey?: string,
  ): Promise<Claim | undefined> {
    const claim: Claim = {
      ...k,
      token: randomUUID(),
      claimedAt: now.toISOString(),
      createStartedAt: now.toISOString(),
      scene,
      ...(firstFrameKey ? { firstFrameKey } : {}),
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key(k), ...claim, expiresAt: Math.floor(now.getTime() / 1000) + TTL_SEC },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return claim;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async get(k: ClaimKey): Promise<Claim | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: key(k), ConsistentRead: true }),
    );
    return Item as Claim | undefined;
  }

  /**
   * Takes over an unresolved claim for a new create call, only if nobody else did since `seen`
   * (a conditional write on the start time), with a fresh token so an old prediction never matches.
   */
  async restartCreate(k: ClaimKey, seen: Claim, now: Date): Promise<Claim | undefined> {
    const token = randomUUID();
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(k),
          UpdateExpression: 'SET createStartedAt = :now, #token = :token REMOVE notCreated',
          ConditionExpression: 'createStartedAt = :seen AND attribute_not_exists(predictionId)',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: {
            ':now': now.toISOString(),
            ':seen': seen.createStartedAt,
            ':token': token,
          },
        }),
      );
      return { ...seen, token, createStartedAt: now.toISOString(), notCreated: undefined };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** The provider refused the create (429, 4xx, 5xx answer): nothing was created for this token. */
  async markNotCreated(k: ClaimKey, token: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(k),
          UpdateExpression: 'SET notCreated = :t',
          ConditionExpression: '#token = :token AND attribute_not_exists(predictionId)',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':t': true, ':token': token },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  async recordPrediction(k: ClaimKey, predictionId: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(k),
        UpdateExpression: 'SET predictionId = :p REMOVE notCreated',
        ConditionExpression: 'attribute_not_exists(predictionId) OR predictionId = :p',
        ExpressionAttributeValues: { ':p': predictionId },
      }),
    );
  }

  /** The AwaitPrediction task now waiting on this attempt's prediction (the webhook completes it). */
  async recordTaskToken(k: ClaimKey, taskToken: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(k),
        UpdateExpression: 'SET taskToken = :t',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':t': taskToken },
      }),
    );
  }

  /** Records how the prediction ended and what it cost; the first outcome wins. */
  async recordOutcome(k: ClaimKey, outcome: PredictionOutcome): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(k),
          UpdateExpression: 'SET outcome = :o',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(outcome)',
          ExpressionAttributeValues: { ':o': outcome },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  /**
   * One store at a time per attempt (a retried or redelivered StoreScene): `announced` when SceneReady was
   * already published, `held` while another store is under way and its lease has not expired.
   */
  async acquireStoreLease(k: ClaimKey, now: Date, leaseSec: number): Promise<StoreLease> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(k),
          UpdateExpression: 'SET storeLeaseUntil = :until',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(announcedAt) AND (attribute_not_exists(storeLeaseUntil) OR storeLeaseUntil < :now)',
          ExpressionAttributeValues: {
            ':now': now.toISOString(),
            ':until': new Date(now.getTime() + leaseSec * 1000).toISOString(),
          },
        }),
      );
      return 'acquired';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const claim = await this.get(k);
      return claim?.announcedAt ? 'announced' : 'held';
    }
  }

  async releaseStoreLease(k: ClaimKey): Promise<void> {
    await this.doc.send(
      new UpdateCommand({ TableName: this.table, Key: key(k), UpdateExpression: 'REMOVE storeLeaseUntil' }),
    );
  }

  async markAnnounced(k: ClaimKey, storedKey: string, now: Date): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(k),
        UpdateExpression: 'SET storedKey = :k, announcedAt = :now REMOVE storeLeaseUntil',
        ExpressionAttributeValues: { ':k': storedKey, ':now': now.toISOString() },
      }),
    );
  }

  /** Every attempt of one scene, oldest first. */
  async sceneClaims(jobId: string, sceneIndex: number): Promise<Claim[]> {
    return this.query(jobId, scenePrefix(sceneIndex));
  }

  /** Every claim of a job (cancellation). */
  async jobClaims(jobId: string): Promise<Claim[]> {
    return this.query(jobId, 'SCENE#');
  }

  private async query(jobId: string, prefix: string): Promise<Claim[]> {
    const claims: Claim[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': jobPk(jobId), ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      claims.push(...((page.Items ?? []) as Claim[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return claims;
  }
}

/** What a scene's predictions cost, for SceneReady and JobFailed: every prediction with an outcome. */
export function spentPredictions(claims: Claim[]): PredictionSpend[] {
  return claims
    .filter((c): c is Claim & { predictionId: string; outcome: PredictionOutcome } =>
      Boolean(c.predictionId && c.outcome),
    )
    .map((c) => ({
      predictionId: c.predictionId,
      attempt: c.attempt,
      status: c.outcome.status,
      costUsd: c.outcome.costUsd,
    }));
}
