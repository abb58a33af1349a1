// @ts-check
/**
 * The publish role's permission to write S3 destinations, from the `publishBuckets` deploy parameter
 * (a comma-separated list of bucket names; docs/deploy.md "Parameters"):
 *
 *   resources:
 *   - ${file(./packaging/publish-buckets.cjs):resources}
 *
 * gives PublishDestinationsPolicy, an AWS::IAM::Policy on PublishRole allowing s3:PutObject on
 * exactly arn:<partition>:s3:::<bucket>/users/* of each bucket (the publisher copies a job's video
 * there with CopyObject, whose source read is the role's s3:GetObject on the media bucket's jobs/*,
 * and writes its metadata JSON beside it). No bucket, no policy: the stack may write no bucket but its
 * own, and submit refuses every S3 destination.
 *
 * Code rather than YAML because a list parameter becomes one Resource entry per bucket, and nothing
 * at all when empty: CloudFormation has no loop without the LanguageExtensions transform, and the
 * Fn::If / AWS::NoValue alternative is not evaluated by the embedded cloud's deployer. Plain CommonJS
 * because `${file(...cjs):resources}` is how osls runs code at package time; it needs no AWS call.
 */

// S3's bucket naming rules, as libs/events' bucketNameSchema checks a destination's bucket.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** @param {unknown} value */
function bucketList(value) {
  const names = String(value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!BUCKET_NAME.test(name) || name.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(name))
      throw new Error(
        `publishBuckets: '${name}' is not an S3 bucket name (services/api/packaging/publish-buckets.cjs)`,
      );
  }
  return [...new Set(names)];
}

async function resources(
  /** @type {{ resolveVariable: (address: string) => Promise<any> }} */ { resolveVariable },
) {
  const buckets = bucketList(await resolveVariable('param:publishBuckets'));
  if (buckets.length === 0) return {};
  return {
    Resources: {
      PublishDestinationsPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'publish-destinations',
          Roles: [{ Ref: 'PublishRole' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 's3:PutObject',
                Resource: buckets.map((bucket) => ({
                  'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucket}/users/*`,
                })),
              },
            ],
          },
        },
      },
    },
  };
}

module.exports = { resources, bucketList };
