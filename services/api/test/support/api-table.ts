import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type JobRequested, jobRequested } from '@reelay/events';
import type { z } from 'zod';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../../local/cloud/src/local-dynamodb';

export interface ApiTableFixture {
  doc: DynamoDBDocumentClient;
  table: string;
  /** Another pk/sk table on the same DynamoDB Local (e.g. the ledger's jobs table). */
  createTable(name: string): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

/** DynamoDB Local with a fresh table laid out like ApiTable in serverless.yml (pk/sk, TTL on expiresAt). */
export async function startApiTable(): Promise<ApiTableFixture> {
  const dynamo: LocalDynamoDb = await startLocalDynamoDb();
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const table = `reelay-api-test-${++counter}`;
  const createTable = (name: string) =>
    client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  await createTable(table);
  return {
    doc,
    table,
    createTable: async (name: string) => {
      await createTable(name);
    },
    close: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}

/** An in-memory bus: what the api published, and a switch to make publishing fail. */
export class RecordingPublisher {
  readonly published: JobRequested[] = [];
  failNext = 0;
  async publish<S extends z.ZodType>(definition: { detailType: string; schema: S }, detail: z.input<S>) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('the bus is unreachable');
    }
    if (definition.detailType === jobRequested.detailType)
      this.published.push(jobRequested.schema.parse(detail));
    else this.others.push({ detailType: definition.detailType, detail });
  }
  readonly others: Array<{ detailType: string; detail: unknown }> = [];
}
