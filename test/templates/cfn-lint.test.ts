/**
 * cfn-lint (AWS's CloudFormation linter, Python) reports no errors on the four packaged templates.
 * It is not an npm or Debian package: where it is not installed the test says so and passes
 * without linting (pip install cfn-lint to run it).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageAllServices, SERVICES } from '../../local/packaging/src';

const TEMPLATE = 'cloudformation-template-update-stack.json';
const available = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;

interface Finding {
  Rule: { Id: string };
  Message: string;
  Level: string;
  Filename: string;
}

/** cfn-lint's JSON findings, errors only (E rules); warnings and informational rules are left to review. */
const lint = (files: string[]): Finding[] => {
  const result = spawnSync('cfn-lint', ['--format', 'json', '--', ...files], { encoding: 'utf8' });
  if (result.error) throw result.error;
  return (JSON.parse(result.stdout || '[]') as Finding[]).filter((finding) => finding.Level === 'Error');
};

if (!available)
  process.stderr.write('[cfn-lint.test] cfn-lint is not on PATH: the packaged templates are not linted\n');

(available ? describe : describe.skip)(
  `cfn-lint on the packaged templates${available ? '' : ' (skipped: cfn-lint is not installed)'}`,
  () => {
    let files: string[];
    let broken: string;
    let scratch: string;
    /** Every error of one cfn-lint run over the four templates and the broken one. */
    let errors: Finding[];
    beforeAll(async () => {
      const packaged = await packageAllServices();
      files = SERVICES.map((service) => join(packaged[service].dir, TEMPLATE));
      // The api template with one function on a runtime Lambda does not have: the check that the
      // linter does find errors. It is linted in the same run as the four (cfn-lint takes seconds
      // to start; one process for all five files instead of two).
      scratch = await mkdtemp(join(tmpdir(), 'reelay-cfn-lint-'));
      const template = JSON.parse(await readFile(files[1] ?? '', 'utf8')) as {
        Resources: Record<string, { Properties: Record<string, unknown> }>;
      };
      const fn = template.Resources.GetJobLambdaFunction;
      if (!fn) throw new Error('no GetJobLambdaFunction in the api template');
      fn.Properties.Runtime = 'nodejs9.x';
      broken = join(scratch, 'api', TEMPLATE);
      await mkdir(join(scratch, 'api'));
      await writeFile(broken, JSON.stringify(template));
      errors = lint([...files, broken]);
    }, 600_000);
    afterAll(async () => {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    test('reports no errors on any of the four templates', () => {
      const found = errors
        .filter((f) => f.Filename !== broken)
        .map((f) => `${f.Filename.split('/').slice(-2, -1)[0]}: ${f.Rule.Id} ${f.Message}`);
      expect(found).toEqual([]);
    });

    test('reports an error on a template with an invalid runtime', () => {
      const found = errors.filter((f) => f.Filename === broken).map((f) => f.Rule.Id);
      expect(found.length).toBeGreaterThan(0);
    });
  },
);
