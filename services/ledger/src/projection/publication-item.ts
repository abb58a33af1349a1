import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { destinationKey, type PublishFailed, type VideoPublished } from '@reelay/events';
import { jobPk } from '@reelay/job-records';
import type { TableDeps } from './job-item';

/** One item per job and destination: `PUBLICATION#<destination key>`. */
export const publicationSk = (key: string) => `PUBLICATION#${key}`;

/**
 * VideoPublished: the destination has the video. It wins over any failure of the same destination
 * (a quota failure, then the next day's upload), whatever order they arrive in.
 */
export async function recordPublished(deps: TableDeps, d: VideoPublished): Promise<void> {
  await deps.doc.send(
    new PutCommand({
      TableName: deps.table,
      Item: {
        pk: jobPk(d.jobId),
        sk: publicationSk(destinationKey(d.destination)),
        destination: d.destination,
        status: 'PUBLISHED',
        url: d.url,
        ...(d.videoId ? { videoId: d.videoId } : {}),
        publishedAt: d.meta.occurredAt,
      },
    }),
  );
}

/**
 * PublishFailed: recorded unless the destination is already published, and only over an older failure
 * (duplicates and replays change nothing).
 */
export async function recordPublishFailed(deps: TableDeps, d: PublishFailed): Promise<void> {
  try {
    await deps.doc.send(
      new PutCommand({
        TableName: deps.table,
        Item: {
          pk: jobPk(d.jobId),
          sk: publicationSk(destinationKey(d.destination)),
          destination: d.destination,
          status: 'FAILED',
          reason: d.reason,
          message: d.message,
          failedAt: d.meta.occurredAt,
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR (#status <> :published AND (attribute_not_exists(failedAt) OR failedAt <= :at))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':published': 'PUBLISHED', ':at': d.meta.occurredAt },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
