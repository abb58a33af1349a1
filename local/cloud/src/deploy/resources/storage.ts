import { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { physicalName, type ResourceDeployer } from './resource-deployer';

/** AWS::DynamoDB::Table on DynamoDB Local, with its time-to-live when the template enables one. */
export const deployTable: ResourceDeployer = async (id, p, deployment) => {
  const { dynamodb, region, accountId } = deployment.clients;
  const name = physicalName(p.TableName, id, deployment);
  await dynamodb.send(
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
  );
  if (p.TimeToLiveSpecification?.Enabled) {
    await dynamodb.send(
      new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: p.TimeToLiveSpecification }),
    );
  }
  return { ref: name, attrs: { Arn: `arn:aws:dynamodb:${region}:${accountId}:table/${name}` } };
};

/** AWS::S3::Bucket on the local S3. */
export const deployBucket: ResourceDeployer = async (id, p, deployment) => {
  const name = String(p.BucketName ?? physicalName(undefined, id, deployment).toLowerCase());
  await deployment.clients.s3.send(new CreateBucketCommand({ Bucket: name }));
  return { ref: name, attrs: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` } };
};
