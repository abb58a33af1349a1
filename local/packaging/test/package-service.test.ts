import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageDir, packageService } from '../src';

// Its own stage, so that forcing a repackage never swaps a package other tests are reading.
const stage = 'packagingtest';

const s3KeyOf = (template: { Resources: Record<string, { Properties?: Record<string, unknown> }> }) =>
  JSON.stringify(template.Resources.ProjectLambdaFunction?.Properties?.Code);

/**
 * Each packaging of the ledger takes seconds of CPU, so the cases share what they can: one forced
 * packaging, made with an AWS profile that does not exist and a system temp dir of the test's own,
 * is what the first three cases read; the cache cases package only what they must.
 */
describe('packageService', () => {
  let packaged: Awaited<ReturnType<typeof packageService>>;
  /** What the packaging left in its system temp dir. */
  let leftInTmp: string[];
  /** Temporary folders left beside the package. */
  let leftBeside: string[];

  beforeAll(async () => {
    // Prepare: an AWS profile that does not exist, and a temp dir of the test's own, so what
    // packaging leaves there can be seen.
    await mkdir(join(packageDir('ledger', stage), '..'), { recursive: true });
    const tmp = await mkdtemp(join(packageDir('ledger', stage), '..', 'system-tmp-'));
    const saved = { profile: process.env.AWS_PROFILE, tmpdir: process.env.TMPDIR };
    process.env.AWS_PROFILE = 'reelay-no-such-profile';
    process.env.TMPDIR = tmp;
    try {
      // Act
      packaged = await packageService('ledger', { stage, force: true });
      leftInTmp = await readdir(tmp);
      leftBeside = (await readdir(join(packageDir('ledger', stage), '..'))).filter((n) =>
        n.includes('.tmp-'),
      );
    } finally {
      if (saved.profile === undefined) delete process.env.AWS_PROFILE;
      else process.env.AWS_PROFILE = saved.profile;
      if (saved.tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved.tmpdir;
      await rm(tmp, { recursive: true, force: true });
    }
  }, 180_000);

  afterAll(async () => {
    await rm(join(packageDir('ledger', stage), '..'), { recursive: true, force: true });
  });

  test('packages offline even when the environment names an AWS profile that does not exist', async () => {
    const { template, dir } = packaged;

    expect(dir).toBe(packageDir('ledger', stage));
    expect(template.Resources.EventBus?.Type).toBe('AWS::Events::EventBus');
    const onDisk = JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
    expect(onDisk).toEqual(template);
  });

  test('leaves nothing in the system temp dir (the zips are made in a folder of its own, then removed)', () => {
    expect(leftInTmp).toEqual([]);
    expect(leftBeside).toEqual([]);
  });

  test('packages for the stage it is given', () => {
    expect(packaged.template.Resources.EventBus?.Properties?.Name).toBe(`reelay-${stage}`);
  });

  test('reuses the package of an unchanged serverless.yml, and repackages when forced', async () => {
    const cached = await packageService('ledger', { stage });
    const forced = await packageService('ledger', { stage, force: true });

    // The code's S3 key carries the packaging time: equal keys mean the same package.
    expect(s3KeyOf(cached.template)).toBe(s3KeyOf(packaged.template));
    expect(s3KeyOf(forced.template)).not.toBe(s3KeyOf(packaged.template));
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
});
