import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationTemplate } from '../../../packaging/src';

/**
 * The S3 destination buckets the packaged templates let the publisher write (its PUBLISH_BUCKETS,
 * from the api's `publishBuckets` deploy parameter; local packaging sets reelay-exports-<stage>-<account>).
 */
export function publishBucketNames(templates: readonly CloudFormationTemplate[]): string[] {
  const names = new Set<string>();
  for (const template of templates) {
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const value = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables?.PUBLISH_BUCKETS;
      if (typeof value !== 'string') continue;
      for (const name of value
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean))
        names.add(name);
    }
  }
  return [...names];
}

/**
 * Creates them, as the user whose bucket it is would on AWS (the operator; they are not part of any
 * stack). The publish role gets no more than its template grants: the IAM gate checks every copy
 * into them against PublishDestinationsPolicy. Kept across restarts of a durable data folder.
 */
export async function createPublishBuckets(s3: S3Client, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await s3.send(new CreateBucketCommand({ Bucket: name })).catch((error: Error) => {
      if (error.name !== 'BucketAlreadyExists' && error.name !== 'BucketAlreadyOwnedByYou') throw error;
    });
  }
}
