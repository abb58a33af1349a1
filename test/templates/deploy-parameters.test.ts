/**
 * Deploy parameters reach the templates the way docs/deploy.md says to set them: per service
 * `params:` in a compose file (osls-compose turns them into --param; it refuses --param and
 * --region on its own command line), or the REELAY_* environment of `npm run deploy`.
 * Everything packages offline, with obviously fake credentials.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudFormationTemplate } from '../../local/packaging/src';
import { REPO_ROOT, type ServiceName, serviceDir, withDirectoryLock } from '../../local/packaging/src';

const BIN = join(REPO_ROOT, 'node_modules', '.bin');

/** The environment of a machine with no AWS account: nothing here may call AWS. */
const offline = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('REELAY_')),
  );
  return {
    ...env,
    PATH: `${BIN}:${process.env.PATH ?? ''}`,
    AWS_ACCESS_KEY_ID: 'AKIAPACKAGEOFFLINE00',
    AWS_SECRET_ACCESS_KEY: 'package-offline-no-real-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    FORCE_COLOR: '0',
    ...extra,
  };
};

const run = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${command} ${args.join(' ')}: exit ${code}\n${output}`)),
    );
  });

/** `serverless package` holds the same per-service lock as local/packaging (shared .esbuild/). */
const locked = <T>(service: ServiceName, work: () => Promise<T>) =>
  withDirectoryLock(join(REPO_ROOT, '.reelay', 'locks', `package-${service}`), work);

const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'reelay-deploy-params-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

test('params given to a service in a compose file set the api authorizer issuer and audience, and the buckets it may publish to', async () => {
  // Prepare: a compose file like the one docs/deploy.md shows, for the api alone.
  await writeFile(
    join(scratch, 'serverless-compose.yml'),
    [
      'services:',
      '  api:',
      `    path: ${serviceDir('api')}`,
      '    params:',
      '      jwtIssuerUrl: https://login.example.com/',
      '      jwtAudience: reelay-api-clients',
      '      publishBuckets: acme-exports,acme-archive',
      '',
    ].join('\n'),
  );
  const built = join(serviceDir('api'), '.serverless', 'cloudformation-template-update-stack.json');

  // Act
  const template = await locked('api', async () => {
    await rm(join(serviceDir('api'), '.serverless'), { recursive: true, force: true });
    await run(join(BIN, 'osls-compose'), ['package', '--stage', 'paramtest'], scratch, offline({}));
    try {
      return await readJson<CloudFormationTemplate & { Conditions: Record<string, unknown> }>(built);
    } finally {
      await rm(join(serviceDir('api'), '.serverless'), { recursive: true, force: true });
    }
  });

  // Assess: the external issuer switches the stack's own user pool off and is what the authorizer trusts.
  expect(template.Conditions.UseOwnUserPool).toEqual({ 'Fn::Equals': ['https://login.example.com/', ''] });
  const jwt = template.Resources.HttpApiAuthorizerReelayJwt?.Properties?.JwtConfiguration as {
    Issuer: { 'Fn::If': unknown[] };
    Audience: Array<{ 'Fn::If': unknown[] }>;
  };
  expect(jwt.Issuer['Fn::If'][2]).toBe('https://login.example.com/');
  expect(jwt.Audience[0]?.['Fn::If'][2]).toBe('reelay-api-clients');
  // The publish role may put objects under users/* of exactly the two buckets; submit and the publisher know them.
  const destinations = template.Resources.PublishDestinationsPolicy?.Properties as {
    PolicyDocument: { Statement: Array<{ Resource: unknown }> };
  };
  expect(destinations.PolicyDocument.Statement.map((statement) => statement.Resource)).toEqual([
    [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::acme-exports/users/*' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::acme-archive/users/*' },
    ],
  ]);
  const publish = template.Resources.PublishLambdaFunction?.Properties?.Environment as {
    Variables: Record<string, unknown>;
  };
  expect(publish.Variables.PUBLISH_BUCKETS).toBe('acme-exports,acme-archive');
}, 180_000);

test('the REELAY_* environment of a deploy sets the region, the alarm e-mail, the SSM names and the render concurrency', async () => {
  // Prepare
  const env = offline({
    REELAY_REGION: 'eu-west-1',
    REELAY_ALARM_EMAIL: 'oncall@example.com',
    REELAY_REPLICATE_API_TOKEN_PARAMETER: '/acme/video/replicate-token',
    REELAY_REPLICATE_WEBHOOK_SECRET_PARAMETER: '/acme/video/replicate-webhook',
    REELAY_RENDER_MAX_CONCURRENCY: '4',
  });
  const packaged = async (service: ServiceName) => {
    const out = join(scratch, service);
    await locked(service, () =>
      run(
        join(BIN, 'serverless'),
        ['package', '--stage', 'paramtest', '--package', out],
        serviceDir(service),
        env,
      ),
    );
    const state = await readJson<{ service: { provider: { region: string } } }>(
      join(out, 'serverless-state.json'),
    );
    const template = await readJson<CloudFormationTemplate>(
      join(out, 'cloudformation-template-update-stack.json'),
    );
    return { region: state.service.provider.region, template, text: JSON.stringify(template) };
  };

  // Act
  const ledger = await packaged('ledger');
  const generator = await packaged('generator');

  // Assess
  expect([ledger.region, generator.region]).toEqual(['eu-west-1', 'eu-west-1']);
  expect(ledger.template.Resources.AlarmEmailSubscription?.Properties?.Endpoint).toBe('oncall@example.com');
  const create = generator.template.Resources.CreatePredictionLambdaFunction?.Properties?.Environment as {
    Variables: Record<string, unknown>;
  };
  expect(create.Variables.REPLICATE_API_TOKEN_PARAMETER).toBe('/acme/video/replicate-token');
  // The roles may read exactly the named parameters, no longer the default ones.
  expect(generator.text).toContain(':parameter/acme/video/replicate-token"');
  expect(generator.text).toContain(':parameter/acme/video/replicate-webhook"');
  expect(generator.text).not.toContain('/reelay/paramtest/replicate-');
  const render = Object.values(generator.template.Resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::EventSourceMapping' &&
      JSON.stringify(r.Properties?.EventSourceArn).includes('"RenderQueue"'),
  );
  expect(render?.Properties?.ScalingConfig).toEqual({ MaximumConcurrency: 4 });
}, 240_000);
