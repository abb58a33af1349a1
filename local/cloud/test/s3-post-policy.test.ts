import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { enforcePostPolicy, PostPolicyViolationError } from '../src/s3-post-policy';

const SECRET = 'S3RVER';
const s3 = new S3Client({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: SECRET },
});

async function presigned() {
  const post = await createPresignedPost(s3, {
    Bucket: 'media',
    Key: 'uploads/alice/01ARZ3NDEKTSV4RRFFQ69G5FAV.png',
    Conditions: [
      ['content-length-range', 100, 100],
      ['eq', '$Content-Type', 'image/png'],
    ],
    Fields: { 'Content-Type': 'image/png' },
    Expires: 900,
  });
  return new Map(Object.entries(post.fields));
}

const violation = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof PostPolicyViolationError) return error.code;
    throw error;
  }
  return 'accepted';
};

describe('the local S3 enforces POST policies as S3 does', () => {
  it('accepts the exact key, type and size the policy names', async () => {
    const fields = await presigned();

    expect(violation(() => enforcePostPolicy({ bucket: 'media', fields, fileBytes: 100 }, SECRET))).toBe(
      'accepted',
    );
  });

  it('refuses another key, another content type, another size, another bucket and extra fields', async () => {
    const fields = await presigned();
    const change = (name: string, value: string) => new Map([...fields, [name, value]]);

    expect(
      violation(() =>
        enforcePostPolicy(
          { bucket: 'media', fields: change('key', 'uploads/bob/x.png'), fileBytes: 100 },
          SECRET,
        ),
      ),
    ).toBe('AccessDenied');
    expect(
      violation(() =>
        enforcePostPolicy(
          { bucket: 'media', fields: change('Content-Type', 'text/html'), fileBytes: 100 },
          SECRET,
        ),
      ),
    ).toBe('AccessDenied');
    expect(violation(() => enforcePostPolicy({ bucket: 'media', fields, fileBytes: 101 }, SECRET))).toBe(
      'EntityTooLarge',
    );
    expect(violation(() => enforcePostPolicy({ bucket: 'media', fields, fileBytes: 99 }, SECRET))).toBe(
      'EntityTooSmall',
    );
    expect(violation(() => enforcePostPolicy({ bucket: 'other', fields, fileBytes: 100 }, SECRET))).toBe(
      'AccessDenied',
    );
    expect(
      violation(() =>
        enforcePostPolicy(
          { bucket: 'media', fields: change('x-amz-meta-evil', '1'), fileBytes: 100 },
          SECRET,
        ),
      ),
    ).toBe('AccessDenied');
  });

  it('refuses a policy that was tampered with or has expired', async () => {
    const fields = await presigned();
    const policy = JSON.parse(Buffer.from(String(fields.get('Policy')), 'base64').toString());
    const tampered = Buffer.from(JSON.stringify({ ...policy, conditions: [] })).toString('base64');

    expect(
      violation(() =>
        enforcePostPolicy(
          { bucket: 'media', fields: new Map([...fields, ['Policy', tampered]]), fileBytes: 100 },
          SECRET,
        ),
      ),
    ).toBe('SignatureDoesNotMatch');
    expect(
      violation(() =>
        enforcePostPolicy(
          { bucket: 'media', fields, fileBytes: 100 },
          SECRET,
          new Date(Date.now() + 901_000),
        ),
      ),
    ).toBe('AccessDenied');
  });
});
