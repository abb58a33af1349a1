import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AccessKeyRegistry, type IssuedCredentials } from '../../src/iam/access-keys';
import { IamGate } from '../../src/iam/iam-gate';
import { PolicyEngine } from '../../src/iam/policy-engine';
import { type LocalS3, startLocalS3 } from '../../src/local-s3';

const ACCOUNT = '000000000000';
const BUCKET = 'enforced-bucket';
const READER_ROLE = `arn:aws:iam::${ACCOUNT}:role/reader`;
const LISTER_ROLE = `arn:aws:iam::${ACCOUNT}:role/lister`;

/** The local S3 with enforcement on, and real S3 clients signing with issued credentials. */
describe('the local S3 with signature and IAM enforcement', () => {
  let local: LocalS3;
  let keys: AccessKeyRegistry;
  let operator: S3Client;
  let reader: S3Client;
  let lister: S3Client;
  const clientFor = (credentials: IssuedCredentials) =>
    new S3Client({
      region: 'us-east-1',
      endpoint: local.endpoint,
      forcePathStyle: true,
      credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });

  beforeAll(async () => {
    keys = new AccessKeyRegistry(ACCOUNT);
    const engine = new PolicyEngine(ACCOUNT);
    const read = { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/jobs/*` };
    engine.setRolePolicies(READER_ROLE, [
      { name: 'read', policy: { Version: '2012-10-17', Statement: [read] } },
    ]);
    engine.setRolePolicies(LISTER_ROLE, [
      {
        name: 'read-and-list',
        policy: {
          Version: '2012-10-17',
          Statement: [read, { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` }],
        },
      },
    ]);
    local = await startLocalS3({
      gate: new IamGate(keys, engine, { region: 'us-east-1', accountId: ACCOUNT }),
    });
    operator = clientFor(keys.operator);
    reader = clientFor(keys.issueForFunction('reader-fn', READER_ROLE));
    lister = clientFor(keys.issueForFunction('lister-fn', LISTER_ROLE));
    await operator.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await operator.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'jobs/a/final.mp4', Body: 'video' }));
  });
  afterAll(async () => {
    for (const c of [operator, reader, lister]) c?.destroy();
    await local?.close();
  });

  const errorOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as S3ServiceException;
    }
    throw new Error('the request succeeded');
  };

  it('lets a role read what its policy allows', async () => {
    // Act
    const got = await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'jobs/a/final.mp4' }));
    // Assess
    expect(await got.Body?.transformToString()).toBe('video');
  });

  it('answers 403 AccessDenied, naming the role session and action, for an action the role lacks', async () => {
    // Act
    const error = await errorOf(
      reader.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'jobs/a/x', Body: 'x' })),
    );
    // Assess
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/reader-fn is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::${BUCKET}/jobs/a/x because no identity-based policy allows the s3:PutObject action`,
    );
  });

  it('answers 403 for a missing key when the role may not list the bucket, as S3 does', async () => {
    // Act
    const head = await errorOf(
      reader.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'jobs/a/missing.mp4' })),
    );
    const get = await errorOf(
      reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'jobs/a/missing.mp4' })),
    );
    // Assess
    expect(head.$metadata.httpStatusCode).toBe(403);
    expect(get.$metadata.httpStatusCode).toBe(403);
    expect(get.name).toBe('AccessDenied');
  });

  it('answers 404 NoSuchKey for a missing key when the role has s3:ListBucket on the bucket', async () => {
    // Act
    const head = await errorOf(
      lister.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'jobs/a/missing.mp4' })),
    );
    const get = await errorOf(
      lister.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'jobs/a/missing.mp4' })),
    );
    // Assess
    expect(head.$metadata.httpStatusCode).toBe(404);
    expect(get.name).toBe('NoSuchKey');
  });

  it('checks a listing against s3:ListBucket on the bucket', async () => {
    // Act
    const denied = await errorOf(reader.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'jobs/' })));
    const listed = await lister.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'jobs/' }));
    // Assess
    expect(denied.name).toBe('AccessDenied');
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['jobs/a/final.mp4']);
  });

  it('refuses an unsigned request with 403 AccessDenied', async () => {
    // Act
    const res = await fetch(`${local.endpoint}/${BUCKET}/jobs/a/final.mp4`);
    // Assess
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('refuses a request signed with a forged secret (SignatureDoesNotMatch) or an unknown key', async () => {
    // Prepare
    const forged = clientFor({ ...keys.operator, secretAccessKey: 'not-the-issued-secret' });
    const unknown = clientFor({ accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' });
    // Act
    const mismatch = await errorOf(
      forged.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'jobs/a/final.mp4' })),
    );
    const notOurs = await errorOf(
      unknown.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'jobs/a/final.mp4' })),
    );
    // Assess
    expect(mismatch.$metadata.httpStatusCode).toBe(403);
    expect(mismatch.name).toBe('SignatureDoesNotMatch');
    expect(notOurs.name).toBe('InvalidAccessKeyId');
    forged.destroy();
    unknown.destroy();
  });

  it('refuses a function key used without its session token', async () => {
    // Prepare: the reader's key and secret, but not the token Lambda handed out with them.
    const { sessionToken: _, ...withoutToken } = keys.issueForFunction('reader-fn', READER_ROLE);
    const client = clientFor(withoutToken);
    // Act
    const error = await errorOf(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'jobs/a/final.mp4' })),
    );
    // Assess
    expect(error.name).toBe('InvalidToken');
    client.destroy();
  });

  it('serves a presigned URL exactly as signed, and refuses it with one signature character changed', async () => {
    // Prepare
    const url = await getSignedUrl(
      reader,
      new GetObjectCommand({ Bucket: BUCKET, Key: 'jobs/a/final.mp4' }),
      {
        expiresIn: 300,
      },
    );
    const signature = new URL(url).searchParams.get('X-Amz-Signature') ?? '';
    const altered = url.replace(
      `X-Amz-Signature=${signature}`,
      `X-Amz-Signature=${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`,
    );
    const otherKey = url.replace('/jobs/a/final.mp4', '/jobs/b/final.mp4');
    // Act
    const ok = await fetch(url);
    const refused = await fetch(altered);
    const moved = await fetch(otherKey);
    // Assess
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('video');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(moved.status).toBe(403);
  });

  it('refuses an expired presigned URL', async () => {
    // Prepare: signed two hours ago for one hour.
    const url = await getSignedUrl(
      reader,
      new GetObjectCommand({ Bucket: BUCKET, Key: 'jobs/a/final.mp4' }),
      {
        expiresIn: 3600,
        signingDate: new Date(Date.now() - 2 * 3600_000),
      },
    );
    // Act
    const res = await fetch(url);
    // Assess
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Request has expired');
  });
});
