import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageDir, packageService } from '../src';

// Its own stage, so that forcing a repackage never swaps a package other tests are reading.
const stage = 'packagingtest';

afterAll(async () => {
  await rm(join(packageDir('ledger', stage), '..'), { recursive: true, force: true });
});

const s3KeyOf = (template: { Resources: Record<string, { Properties?: Record<string, unknown> }> }) =>
  JSON.stringify(template.Resources.ProjectLambdaFunction?.Properties?.Code);

describe('packageService', () => {
  test('packages offline even when the environment names an AWS profile that does not exist', async () => {
    // Prepare
    const profile = process.env.AWS_PROFILE;
    process.env.AWS_PROFILE = 'reelay-no-such-profile';
    try {
      // Act
      const { template, dir } = await packageService('ledger', { stage, force: true });

      // Assess
      expect(dir).toBe(packageDir('ledger', stage));
      expect(template.Resources.EventBus?.Type).toBe('AWS::Events::EventBus');
      const onDisk = JSON.parse(
        await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
      );
      expect(onDisk).toEqual(template);
    } finally {
      if (profile === undefined) delete process.env.AWS_PROFILE;
      else process.env.AWS_PROFILE = profile;
    }
  }, 180_000);

  test('leaves nothing in the system temp dir (the zips are made in a folder of its own, then removed)', async () => {
    // Prepare: a temp dir of the test's own, so what packaging leaves there can be seen.
    await mkdir(join(packageDir('ledger', stage), '..'), { recursive: true });
    const tmp = await mkdtemp(join(packageDir('ledger', stage), '..', 'system-tmp-'));
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      // Act
      await packageService('ledger', { stage, force: true });

      // Assess
      expect(await readdir(tmp)).toEqual([]);
      expect(
        (await readdir(join(packageDir('ledger', stage), '..'))).filter((n) => n.includes('.tmp-')),
      ).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      await rm(tmp, { recursive: true, force: true });
    }
  }, 180_000);

  test('reuses the package of an unchanged serverless.yml, and repackages when forced', async () => {
    const first = await packageService('ledger', { stage });

    const cached = await packageService('ledger', { stage });
    const forced = await packageService('ledger', { stage, force: true });

    // The code's S3 key carries the packaging time: equal keys mean the same package.
    expect(s3KeyOf(cached.template)).toBe(s3KeyOf(first.template));
    expect(s3KeyOf(forced.template)).not.toBe(s3KeyOf(first.template));
  }, 180_000);

  test('repackages when a file the serverless.yml includes changes (the ledger monitoring.js)', async () => {
    const monitoring = join(__dirname, '../../../services/ledger/monitoring/monitoring.js');
    const original = await readFile(monitoring, 'utf8');
    const before = await packageService('ledger', { stage });
    let after: Awaited<ReturnType<typeof packageService>>;
    try {
      await writeFile(monitoring, `${original}\n// changed by the packaging test\n`);
      after = await packageService('ledger', { stage });
    } finally {
      await writeFile(monitoring, original);
    }

    expect(s3KeyOf(after.template)).not.toBe(s3KeyOf(before.template));
  }, 180_000);

  test('packages for the stage it is given', async () => {
    const { template } = await packageService('ledger', { stage });

    expect(template.Resources.EventBus?.Properties?.Name).toBe(`reelay-${stage}`);
  }, 180_000);
});
