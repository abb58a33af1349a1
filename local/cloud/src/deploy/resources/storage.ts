import {
  CreateTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { physicalName, type ResourceDeployer } from './resource-deployer';

/**
 * AWS::DynamoDB::Table on DynamoDB Local, with its time-to-live when the template enables one.
 * Created in the background (LocalCloudState.createInBackground): the rest of the deploy needs only
 * the table's name and ARN, and DynamoDB Local's JVM may still be starting.
 */
export const deployTable: ResourceDeployer = async (id, p, deployment) => {
  const { dynamodb, region, accountId } = deployment.clients;
  const name = physicalName(p.TableName, id, deployment);
  const create = async () => {
    const created = await dynamodb
      .send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: p.KeySchema,
          AttributeDefinitions: p.AttributeDefinitions,
          BillingMode: p.BillingMode ?? 'PAY_PER_REQUEST',
          ProvisionedThroughput: p.ProvisionedThroughput,
          // DynamoDB Local does not take Contributor Insights settings.
          GlobalSecondaryIndexes: p.GlobalSecondaryIndexes?.map((g: Record<string, unknown>) => ({
            ...g,
            ContributorInsightsSpecification: undefined,
          })),
          LocalSecondaryIndexes: p.LocalSecondaryIndexes,
        }),
      )
      .then(
        () => true,
        (error: unknown) => {
          // The table is kept in the cloud's data folder from its last run: like a stack update that
          // leaves the table as it is, its items stay (a changed key schema needs `npm run up -- --fresh`).
          if (error instanceof ResourceInUseException) return false;
          throw error;
        },
      );
    if (created && p.TimeToLiveSpecification?.Enabled) {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: p.TimeToLiveSpecification }),
      );
    }
  };
  deployment.cloud.createInBackground(create());
  return { ref: name, attrs: { Arn: `arn:aws:dynamodb:${region}:${accountId}:table/${name}` } };
};

/** AWS::S3::Bucket on the local S3. */
export const deployBucket: ResourceDeployer = async (id, p, deployment) => {
  const name = String(p.BucketName ?? physicalName(undefined, id, deployment).toLowerCase());
  await deployment.clients.s3.send(new CreateBucketCommand({ Bucket: name })).catch((error: Error) => {
    // Kept in the data folder from the last run, with its objects (s3rver answers BucketAlreadyExists).
    if (error.name !== 'BucketAlreadyExists' && error.name !== 'BucketAlreadyOwnedByYou') throw error;
  });
  return { ref: name, attrs: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` } };
};
