import { NoSuchBucket, S3ServiceException } from '@aws-sdk/client-s3';
import { jobSpecSchema } from '@reelay/events';
import { HttpProblemError, readConfig } from '@reelay/lambda';
import { classifyS3Error } from '../../src/publishing/publish-to-s3';
import { checkS3Destinations, publishBucketsConfig, s3ExportKeys } from '../../src/publishing/s3-destination';

// The deploy-time policy builder is plain CommonJS (osls runs it at package time).
const { resources: publishBucketsPolicy } = require('../../packaging/publish-buckets.cjs') as {
  resources: (ctx: { resolveVariable: (address: string) => Promise<unknown> }) => Promise<{
    Resources?: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  }>;
};

/** CloudFormation's placeholder, as the policy's Fn::Sub carries it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
const PARTITION = '${AWS::Partition}';
const JOB = '01JFZ0000000000000000000AB';
const spec = (...publish: unknown[]) => jobSpecSchema.parse({ prompt: 'a lighthouse', publish });

describe('S3 destination keys', () => {
  it("puts a job's files in its own folder under the user's folder and the prefix, with or without the prefix's slash", () => {
    // Act
    const keys = ['videos/2026', 'videos/2026/'].map((prefix) => s3ExportKeys('user-1', prefix, JOB));
    const noPrefix = s3ExportKeys('user-1', '', JOB);

    // Assess
    expect(keys[0]).toEqual({
      folder: `users/user-1/videos/2026/${JOB}/`,
      video: `users/user-1/videos/2026/${JOB}/video.mp4`,
      metadata: `users/user-1/videos/2026/${JOB}/metadata.json`,
    });
    expect(keys[1]).toEqual(keys[0]);
    expect(noPrefix.video).toBe(`users/user-1/${JOB}/video.mp4`);
  });

  it('writes a user id that could climb or split the path as one b64 segment, so no user names another folder', () => {
    // Act
    const climbing = s3ExportKeys('../user-2', 'x', JOB);
    const slashed = s3ExportKeys('auth0|a/b', 'x', JOB);

    // Assess
    expect(climbing.folder).toBe(`users/b64.${Buffer.from('../user-2').toString('base64url')}/x/${JOB}/`);
    expect(slashed.folder.split('/')).toHaveLength(5);
    expect(slashed.folder.startsWith('users/b64.')).toBe(true);
  });
});

describe('S3 destinations at submit', () => {
  it('accepts a destination in one of the configured buckets', () => {
    expect(() =>
      checkS3Destinations(spec({ type: 's3', bucket: 'acme-exports' }), ['acme-archive', 'acme-exports']),
    ).not.toThrow();
  });

  it('refuses a bucket the deployment may not write with a 400 naming the field and the buckets it may', () => {
    // Act
    let refused: unknown;
    try {
      checkS3Destinations(
        spec({ type: 'youtube', connection: 'main' }, { type: 's3', bucket: 'someone-elses' }),
        ['acme-exports', 'acme-archive'],
      );
    } catch (error) {
      refused = error;
    }

    // Assess
    expect(refused).toBeInstanceOf(HttpProblemError);
    expect(refused).toMatchObject({
      status: 400,
      errors: [
        {
          path: 'publish.1.bucket',
          message:
            "this deployment may not publish to the bucket 'someone-elses'; it may publish to 'acme-exports', 'acme-archive'",
        },
      ],
    });
  });

  it("names a series' own field when a series' destination names such a bucket", () => {
    expect(() =>
      checkS3Destinations(
        spec({ type: 's3', bucket: 'elsewhere' }),
        ['acme-exports'],
        'destinations',
        'Invalid series',
      ),
    ).toThrow(
      /^400 Invalid series: destinations\.0\.bucket: this deployment may not publish to the bucket 'elsewhere'/,
    );
  });

  it('refuses every S3 destination when no bucket is configured, saying so', () => {
    expect(() => checkS3Destinations(spec({ type: 's3', bucket: 'acme-exports' }), [])).toThrow(
      /publishes to no S3 bucket \(its publishBuckets parameter is empty\)/,
    );
  });

  it('reads PUBLISH_BUCKETS as a comma-separated list (empty: none) and refuses a name S3 would not take', () => {
    // Act
    const listed = readConfig(publishBucketsConfig, { PUBLISH_BUCKETS: 'acme-exports, acme-archive' });
    const empty = readConfig(publishBucketsConfig, { PUBLISH_BUCKETS: '' });
    const unset = readConfig(publishBucketsConfig, {});

    // Assess
    expect(listed.PUBLISH_BUCKETS).toEqual(['acme-exports', 'acme-archive']);
    expect(empty.PUBLISH_BUCKETS).toEqual([]);
    expect(unset.PUBLISH_BUCKETS).toEqual([]);
    expect(() => readConfig(publishBucketsConfig, { PUBLISH_BUCKETS: 'Acme_Exports' })).toThrow(
      /PUBLISH_BUCKETS/,
    );
  });
});

describe('S3 errors as publishing outcomes', () => {
  const s3Error = (name: string, status: number | undefined) =>
    new S3ServiceException({
      name,
      message: `${name} said`,
      $fault: status !== undefined && status < 500 ? 'client' : 'server',
      $metadata: status === undefined ? {} : { httpStatusCode: status },
    });

  it('names AccessDenied an auth failure and NoSuchBucket a rejection, both final, with the bucket and key', () => {
    // Act
    const denied = classifyS3Error(s3Error('AccessDenied', 403), 'acme', 'users/u/j/video.mp4', 'media');
    const missing = classifyS3Error(
      new NoSuchBucket({
        message: 'The specified bucket does not exist',
        $metadata: { httpStatusCode: 404 },
      }),
      'acme',
      'users/u/j/video.mp4',
      'media',
    );

    // Assess
    expect([denied.reason, denied.retryable]).toEqual(['auth', false]);
    expect(denied.message).toContain('s3://acme/users/u/j/video.mp4 (AccessDenied');
    expect([missing.reason, missing.retryable]).toEqual(['rejected', false]);
    expect(missing.message).toContain("the bucket 'acme' does not exist");
  });

  it('retries throttling, 5xx and a connection that broke without an answer', () => {
    // Act
    const outcomes = [
      s3Error('SlowDown', 503),
      s3Error('InternalError', 500),
      new Error('socket hang up'),
    ].map((error) => classifyS3Error(error, 'acme', 'k', 'media'));

    // Assess
    expect(outcomes.map((e) => [e.reason, e.retryable])).toEqual([
      ['retries-exhausted', true],
      ['retries-exhausted', true],
      ['retries-exhausted', true],
    ]);
  });
});

describe("the publish role's S3 destinations policy (packaging/publish-buckets.cjs)", () => {
  const policyFor = (publishBuckets: string) =>
    publishBucketsPolicy({
      resolveVariable: async (address) => (address === 'param:publishBuckets' ? publishBuckets : undefined),
    });

  it('allows s3:PutObject on users/* of exactly the configured buckets, for the publish role alone', async () => {
    // Act
    const { Resources } = await policyFor('acme-exports,acme-archive');

    // Assess
    expect(Resources?.PublishDestinationsPolicy?.Properties).toEqual({
      PolicyName: 'publish-destinations',
      Roles: [{ Ref: 'PublishRole' }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 's3:PutObject',
            Resource: [
              { 'Fn::Sub': `arn:${PARTITION}:s3:::acme-exports/users/*` },
              { 'Fn::Sub': `arn:${PARTITION}:s3:::acme-archive/users/*` },
            ],
          },
        ],
      },
    });
  });

  it('grants nothing when no bucket is configured, and stops packaging on a name S3 would not take', async () => {
    expect(await policyFor('')).toEqual({});
    await expect(policyFor('acme-exports,Not_A_Bucket')).rejects.toThrow(
      "publishBuckets: 'Not_A_Bucket' is not an S3 bucket name",
    );
  });
});
