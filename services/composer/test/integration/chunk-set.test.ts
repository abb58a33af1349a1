import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../../local/cloud/src/local-dynamodb';
import { ChunkSet, isChunkSetComplete } from '../../src/composing/chunk-set';
import { keepLease } from '../../src/composing/lease-keeper';

/** The chunk set on AWS's DynamoDB Local, in a table keyed as the composer table (pk, sk). */
describe('chunk set: each part claimed once, the set complete once every part is done', () => {
  let dynamo: LocalDynamoDb;
  let client: DynamoDBClient;
  let chunks: ChunkSet;
  const NOW = 1_000_000;
  const LATER = NOW + 60_000;

  beforeAll(async () => {
    dynamo = await startLocalDynamoDb();
    client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await client.send(
      new CreateTableCommand({
        TableName: 'composer',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
      }),
    );
    chunks = new ChunkSet(DynamoDBDocumentClient.from(client), 'composer');
  }, 180_000);

  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
  });

  it('is created once: a second creation keeps the first plan', async () => {
    // Prepare
    const jobId = ulid();
    // Act
    const first = await chunks.create(jobId, 3, 2);
    const second = await chunks.create(jobId, 5, 1);
    // Assess
    expect(first).toMatchObject({ chunkCount: 3, scenesPerChunk: 2, parts: 4, dispatched: false });
    expect(second).toEqual(first);
  });

  it('lets one of many racing invocations claim a part, and another only once the claim lapses', async () => {
    // Prepare
    const jobId = ulid();
    await chunks.create(jobId, 2, 3);
    // Act
    const racing = await Promise.all(
      ['a', 'b', 'c', 'd'].map((owner) => chunks.claim(jobId, 1, owner, NOW, NOW + 1000)),
    );
    const whileHeld = await chunks.claim(jobId, 1, 'e', NOW + 999, NOW + 2000);
    const afterLapse = await chunks.claim(jobId, 1, 'f', NOW + 1001, NOW + 3000);
    // Assess
    expect(racing.filter((r) => r.claimed)).toHaveLength(1);
    expect(whileHeld).toEqual({ claimed: false, done: false, claimedUntil: NOW + 1000 });
    expect(afterLapse).toEqual({ claimed: true });
  });

  it('counts a part done once, refuses a completion by an owner whose claim was taken over, and never lets a done part be claimed again', async () => {
    // Prepare
    const jobId = ulid();
    await chunks.create(jobId, 1, 4);
    await chunks.claim(jobId, 0, 'crashed', NOW, NOW + 1000);
    await chunks.claim(jobId, 0, 'retry', NOW + 2000, LATER);
    // Act
    const stale = await chunks.complete(jobId, 0, 'crashed').catch((error: unknown) => error);
    const done = await chunks.complete(jobId, 0, 'retry');
    const replayed = await chunks.claim(jobId, 0, 'replay', LATER + 1, LATER + 2);
    // Assess
    expect(stale).toBeInstanceOf(ConditionalCheckFailedException);
    expect([...done.done]).toEqual([0]);
    expect(replayed).toEqual({ claimed: false, done: true });
  });

  it('is complete when every chunk and the soundtrack are done, whichever finishes last', async () => {
    // Prepare
    const jobId = ulid();
    const set = await chunks.create(jobId, 2, 2);
    for (const part of [0, 1, 2]) await chunks.claim(jobId, part, `owner-${part}`, NOW, LATER);
    // Act
    const afterSoundtrack = await chunks.complete(jobId, 2, 'owner-2');
    const afterChunk0 = await chunks.complete(jobId, 0, 'owner-0');
    const afterChunk1 = await chunks.complete(jobId, 1, 'owner-1');
    // Assess
    expect(set.parts).toBe(3);
    expect([afterSoundtrack, afterChunk0, afterChunk1].map(isChunkSetComplete)).toEqual([false, false, true]);
  });

  it('gives a claim back only for its owner, so a failed part retries at once', async () => {
    // Prepare
    const jobId = ulid();
    await chunks.create(jobId, 1, 2);
    await chunks.claim(jobId, 0, 'owner', NOW, LATER);
    // Act
    await chunks.release(jobId, 0, 'someone-else');
    const stillHeld = await chunks.claim(jobId, 0, 'retry', NOW + 1, LATER);
    await chunks.release(jobId, 0, 'owner');
    const retried = await chunks.claim(jobId, 0, 'retry', NOW + 1, LATER);
    // Assess
    expect(stillHeld.claimed).toBe(false);
    expect(retried).toEqual({ claimed: true });
  });

  it('lets only its owner renew a claim, and not once the part is done', async () => {
    // Prepare
    const jobId = ulid();
    await chunks.create(jobId, 1, 2);
    await chunks.claim(jobId, 0, 'owner', NOW, NOW + 1000);
    // Act
    const renewed = await chunks.renewClaim(jobId, 0, 'owner', NOW + 5000);
    const byAnother = await chunks.renewClaim(jobId, 0, 'someone-else', LATER);
    const pastTheFirstExpiry = await chunks.claim(jobId, 0, 'retry', NOW + 2000, LATER);
    await chunks.complete(jobId, 0, 'owner');
    const afterDone = await chunks.renewClaim(jobId, 0, 'owner', LATER);
    // Assess
    expect(renewed).toBe(true);
    expect(byAnother).toBe(false);
    expect(pastTheFirstExpiry).toEqual({ claimed: false, done: false, claimedUntil: NOW + 5000 });
    expect(afterDone).toBe(false);
  });

  it('keeps a short claim held while its part renders, and lets it lapse within one claim once the renderer is gone', async () => {
    // Prepare: a 3 s claim kept by composePart's lease keeper, on the real clock.
    const jobId = ulid();
    await chunks.create(jobId, 1, 2);
    const claimMs = 3000;
    await chunks.claim(jobId, 1, 'renderer', Date.now(), Date.now() + claimMs);
    const keeper = keepLease({
      leaseMs: claimMs,
      claimedUntil: Date.now() + claimMs,
      renew: (until) => chunks.renewClaim(jobId, 1, 'renderer', until),
      held: 'the claim on part 1',
    });
    // Act: two claims' length later, another invocation tries; then the renderer dies (stops renewing).
    await new Promise((resolve) => setTimeout(resolve, 2 * claimMs));
    const whileRendering = await chunks.claim(jobId, 1, 'other', Date.now(), Date.now() + claimMs);
    keeper.stop();
    await new Promise((resolve) => setTimeout(resolve, claimMs + 500));
    const afterTheRendererDied = await chunks.claim(jobId, 1, 'other', Date.now(), Date.now() + claimMs);
    // Assess
    expect(whileRendering.claimed).toBe(false);
    expect(keeper.signal.aborted).toBe(false);
    expect(afterTheRendererDied).toEqual({ claimed: true });
  }, 30_000);
});
