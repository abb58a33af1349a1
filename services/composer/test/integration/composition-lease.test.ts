import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../../local/cloud/src/local-dynamodb';
import { SceneSet } from '../../src/scenes/scene-set';

/** The composition lease's writes on AWS's DynamoDB Local, in a table keyed as the composer table (pk, sk). */
describe('the composition lease: claimed once, renewed only by its holder', () => {
  let dynamo: LocalDynamoDb;
  let client: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  let scenes: SceneSet;
  const NOW = 1_000_000;
  const LEASE = 30_000;

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
    doc = DynamoDBDocumentClient.from(client);
    scenes = new SceneSet(doc, 'composer');
  }, 180_000);

  afterAll(async () => {
    client?.destroy();
    await dynamo?.close();
  });

  /** A job whose scenes are all prepared (the item the lease lives on). */
  async function preparedJob(): Promise<string> {
    const jobId = ulid();
    await doc.send(
      new PutCommand({ TableName: 'composer', Item: { pk: `JOB#${jobId}`, sk: 'COMPOSITION', jobId } }),
    );
    return jobId;
  }

  it('a renewal by the holder keeps the lease past its first end: another composer cannot take it then', async () => {
    // Prepare
    const jobId = await preparedJob();
    expect(await scenes.claimLease(jobId, 'first', NOW, NOW + LEASE)).toBe(true);
    // Act: renewed a third of the way in, then another composer tries after the first end.
    const renewed = await scenes.renewLease(jobId, 'first', NOW + LEASE / 3 + LEASE);
    const stolen = await scenes.claimLease(jobId, 'second', NOW + LEASE + 1, NOW + 2 * LEASE);
    // Assess
    expect(renewed).toBe(true);
    expect(stolen).toBe(false);
    expect((await scenes.get(jobId))?.leaseUntil).toBe(NOW + LEASE / 3 + LEASE);
  });

  it('a composer whose lease lapsed and was taken cannot renew it', async () => {
    // Prepare: the first holder's lease lapses unrenewed (it died, or stalled) and a second takes it.
    const jobId = await preparedJob();
    await scenes.claimLease(jobId, 'first', NOW, NOW + LEASE);
    expect(await scenes.claimLease(jobId, 'second', NOW + LEASE + 1, NOW + 2 * LEASE)).toBe(true);
    // Act
    const renewed = await scenes.renewLease(jobId, 'first', NOW + 3 * LEASE);
    // Assess: refused, and the second holder's lease stands as it claimed it.
    expect(renewed).toBe(false);
    expect(await scenes.get(jobId)).toMatchObject({ leaseOwner: 'second', leaseUntil: NOW + 2 * LEASE });
  });

  it('a published job is not renewed', async () => {
    // Prepare
    const jobId = await preparedJob();
    await scenes.claimLease(jobId, 'first', NOW, NOW + LEASE);
    await scenes.recordPublished(jobId, new Date(NOW).toISOString());
    // Act, Assess
    expect(await scenes.renewLease(jobId, 'first', NOW + 2 * LEASE)).toBe(false);
  });
});
