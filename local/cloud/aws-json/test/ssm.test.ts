import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { type DataFolder, throwawayDataFolder } from '../../src/data-folder';
import { type EmulatorFixture, startFixture } from './emulator-fixture';

/** The Parameter Store as @aws-sdk/client-ssm sees it: AWS's errors, SecureString, paths, durability. */
let fixture: EmulatorFixture;
let ssm: SSMClient;

const startWith = async (stateFile?: string) => {
  fixture = await startFixture(stateFile ? { stateFile } : {});
  ssm = new SSMClient({
    endpoint: fixture.emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
};

afterEach(async () => {
  ssm.destroy();
  await fixture.close();
});

describe('PutParameter and GetParameter', () => {
  beforeEach(() => startWith());

  it('keeps a SecureString encrypted unless asked WithDecryption', async () => {
    // Prepare
    await ssm.send(
      new PutParameterCommand({ Name: '/reelay/dev/secret', Value: 'hunter2', Type: 'SecureString' }),
    );

    // Act
    const sealed = await ssm.send(new GetParameterCommand({ Name: '/reelay/dev/secret' }));
    const opened = await ssm.send(
      new GetParameterCommand({ Name: '/reelay/dev/secret', WithDecryption: true }),
    );

    // Assess
    expect(sealed.Parameter?.Type).toBe('SecureString');
    expect(sealed.Parameter?.Value).not.toContain('hunter2');
    expect(opened.Parameter?.Value).toBe('hunter2');
    expect(opened.Parameter?.ARN).toBe('arn:aws:ssm:us-east-1:000000000000:parameter/reelay/dev/secret');
    expect(opened.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
  });

  it('refuses to replace a parameter without Overwrite (ParameterAlreadyExists), and versions it with Overwrite', async () => {
    // Prepare
    await ssm.send(new PutParameterCommand({ Name: '/a/b', Value: 'one', Type: 'String' }));

    // Act
    const refused = await ssm
      .send(new PutParameterCommand({ Name: '/a/b', Value: 'two', Type: 'String' }))
      .catch((e) => e);
    const replaced = await ssm.send(
      new PutParameterCommand({ Name: '/a/b', Value: 'three', Overwrite: true }),
    );
    const read = await ssm.send(new GetParameterCommand({ Name: '/a/b' }));

    // Assess
    expect(refused).toBeInstanceOf(ParameterAlreadyExists);
    expect(replaced.Version).toBe(2);
    expect(read.Parameter?.Value).toBe('three');
  });

  it('answers a missing parameter with ParameterNotFound', async () => {
    // Act
    const refused = await ssm.send(new GetParameterCommand({ Name: '/nothing/here' })).catch((e) => e);

    // Assess
    expect(refused).toBeInstanceOf(ParameterNotFound);
  });

  it.each([
    ['a name with a space', '/a b'],
    ['a reserved aws prefix', '/aws/thing'],
    ['a path that does not start with /', 'a/b'],
    ['16 levels', `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`],
  ])('refuses %s', async (_case, name) => {
    // Act
    const refused = await ssm
      .send(new PutParameterCommand({ Name: name, Value: 'v', Type: 'String' }))
      .catch((e) => e);

    // Assess
    expect(refused).toBeInstanceOf(Error);
    expect(['ValidationException', 'HierarchyLevelLimitExceededException']).toContain(
      (refused as Error).name,
    );
  });
});

describe('several parameters', () => {
  beforeEach(() => startWith());

  it('gets several at once, naming the missing ones in InvalidParameters', async () => {
    // Prepare
    await ssm.send(new PutParameterCommand({ Name: '/p/one', Value: '1', Type: 'String' }));

    // Act
    const got = await ssm.send(new GetParametersCommand({ Names: ['/p/one', '/p/two'] }));

    // Assess
    expect(got.Parameters?.map((p) => p.Value)).toEqual(['1']);
    expect(got.InvalidParameters).toEqual(['/p/two']);
  });

  it('lists a path: direct children, or every descendant when recursive, in pages of at most 10', async () => {
    // Prepare
    for (let i = 0; i < 12; i += 1) {
      await ssm.send(
        new PutParameterCommand({
          Name: `/u/1/yt/c${String(i).padStart(2, '0')}`,
          Value: `v${i}`,
          Type: 'SecureString',
        }),
      );
    }
    await ssm.send(new PutParameterCommand({ Name: '/u/1/top', Value: 'top', Type: 'String' }));

    // Act
    const direct = await ssm.send(new GetParametersByPathCommand({ Path: '/u/1' }));
    const firstPage = await ssm.send(
      new GetParametersByPathCommand({ Path: '/u/1/yt', Recursive: true, WithDecryption: true }),
    );
    const secondPage = await ssm.send(
      new GetParametersByPathCommand({
        Path: '/u/1/yt',
        Recursive: true,
        WithDecryption: true,
        NextToken: firstPage.NextToken,
      }),
    );

    // Assess
    expect(direct.Parameters?.map((p) => p.Name)).toEqual(['/u/1/top']);
    expect(firstPage.Parameters).toHaveLength(10);
    expect(firstPage.Parameters?.[0]?.Value).toBe('v0');
    expect(secondPage.Parameters?.map((p) => p.Value)).toEqual(['v10', 'v11']);
    expect(secondPage.NextToken).toBeUndefined();
  });

  it('deletes a parameter, and a second delete is ParameterNotFound', async () => {
    // Prepare
    await ssm.send(new PutParameterCommand({ Name: '/d/x', Value: 'x', Type: 'String' }));

    // Act
    await ssm.send(new DeleteParameterCommand({ Name: '/d/x' }));
    const again = await ssm.send(new DeleteParameterCommand({ Name: '/d/x' })).catch((e) => e);

    // Assess
    expect(again).toBeInstanceOf(ParameterNotFound);
  });
});

describe('durability', () => {
  let folder: DataFolder;
  beforeEach(() => {
    folder = throwawayDataFolder('ssm-restart');
  });
  afterEach(() => folder.release());

  it('keeps parameters, SecureStrings still readable, across a restart with the same state file', async () => {
    // Prepare
    await startWith(folder.emulatorState);
    await ssm.send(new PutParameterCommand({ Name: '/keep/me', Value: 's3cret', Type: 'SecureString' }));
    ssm.destroy();
    await fixture.close();

    // Act
    await startWith(folder.emulatorState);
    const read = await ssm.send(new GetParameterCommand({ Name: '/keep/me', WithDecryption: true }));

    // Assess
    expect(read.Parameter?.Value).toBe('s3cret');
  });
});
