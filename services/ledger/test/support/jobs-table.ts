import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../../local/cloud/src/local-dynamodb';
import { packageService } from '../../../../local/packaging/src';

export interface JobsTableFixture {
  doc: DynamoDBDocumentClient;
  /** A fresh table, created from the ledger's own packaged JobsTable (keys and indexes as deployed). */
  newTable(): Promise<string>;
  close(): Promise<void>;
}

let tables = 0;

/** DynamoDB Local with tables made from the JobsTable resource of the ledger's template. */
export async function startJobsTable(): Promise<JobsTableFixture> {
  const [dynamo, packaged] = await Promise.all([startLocalDynamoDb(), packageService('ledger')]);
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const props = packaged.template.Resources.JobsTable?.Properties as Record<string, unknown>;
  return {
    doc,
    async newTable() {
      const name = `jobs-test-${++tables}`;
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: props.KeySchema as never,
          AttributeDefinitions: props.AttributeDefinitions as never,
          GlobalSecondaryIndexes: props.GlobalSecondaryIndexes as never,
        }),
      );
      return name;
    },
    close: async () => {
      client.destroy();
      await (dynamo as LocalDynamoDb).close();
    },
  };
}
