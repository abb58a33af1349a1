/**
 * `npm run deploy` stops before osls-compose when the credentials do not work, when a secret
 * the generator reads is missing from SSM (saying the command that creates it), or when a
 * non-dev stage has no alarm e-mail. The real STS and SSM clients talk to a local twin.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { DeployUsageError, deploySettings } from '../../local/deploy/src/deploy-settings';
import { preflight } from '../../local/deploy/src/preflight';
import { type AwsAccountTwin, startAwsAccountTwin } from './aws-account-twin';

let twin: AwsAccountTwin;
beforeAll(async () => {
  twin = await startAwsAccountTwin();
});
afterAll(async () => {
  await twin.close();
});
beforeEach(() => {
  twin.parameters.clear();
  twin.calls.length = 0;
});

const clients = (credentials = twin.credentials) => ({
  sts: new STSClient({ region: 'eu-west-1', endpoint: twin.endpoint, credentials }),
  ssm: new SSMClient({ region: 'eu-west-1', endpoint: twin.endpoint, credentials }),
});

/** This machine's cache, as packaging sees it; a test of its own covers the missing build. */
const built = { findStaticFfmpeg: () => ({ dir: '/cache/ffmpeg' }), buildCommand: () => 'build it' };

const prod = (env: NodeJS.ProcessEnv = {}) =>
  deploySettings(['--stage', 'prod'], {
    REELAY_REGION: 'eu-west-1',
    REELAY_ALARM_EMAIL: 'ops@example.com',
    ...env,
  });

const storeSecrets = (stage: string) => {
  for (const name of [`/reelay/${stage}/replicate-api-token`, `/reelay/${stage}/replicate-webhook-secret`])
    twin.parameters.set(name, { name, type: 'SecureString', value: 'secret' });
};

test('with credentials, both secrets and an alarm e-mail, a prod deploy may go ahead', async () => {
  // Prepare
  storeSecrets('prod');

  // Act
  const result = await preflight(prod(), clients(), built);

  // Assess
  expect(result).toEqual({
    account: twin.account,
    arn: `arn:aws:iam::${twin.account}:user/deployer`,
    problems: [],
    warnings: [],
  });
  expect(twin.calls).toEqual(['sts:GetCallerIdentity', 'ssm:GetParameters']);
});

test('credentials AWS does not know stop the deploy before SSM is asked', async () => {
  // Act
  const result = await preflight(
    prod(),
    clients({ accessKeyId: 'AKIANOTISSUED0000000', secretAccessKey: 'x' }),
    built,
  );

  // Assess
  expect(result.problems).toHaveLength(1);
  expect(result.problems[0]).toMatch(/^no working AWS credentials \(InvalidClientTokenId: /);
  expect(twin.calls).toEqual([]);
});

test('a wrong secret key is refused too: the twin checks the signature, not only the key id', async () => {
  const result = await preflight(
    prod(),
    clients({ accessKeyId: twin.credentials.accessKeyId, secretAccessKey: 'not-the-secret' }),
    built,
  );
  expect(result.problems[0]).toMatch(/InvalidClientTokenId/);
});

test('each missing secret is named with the aws ssm put-parameter command that creates it', async () => {
  // Prepare: only the token exists, under a name the deploy was told to use.
  twin.parameters.set('/acme/replicate-token', {
    name: '/acme/replicate-token',
    type: 'SecureString',
    value: 't',
  });

  // Act
  const result = await preflight(
    prod({ REELAY_REPLICATE_API_TOKEN_PARAMETER: '/acme/replicate-token' }),
    clients(),
    built,
  );

  // Assess
  expect(result.problems).toEqual([
    expect.stringContaining(
      'SSM parameter /reelay/prod/replicate-webhook-secret is missing: it holds your Replicate webhook signing secret',
    ),
  ]);
  expect(result.problems[0]).toContain(
    "aws ssm put-parameter --region eu-west-1 --type SecureString --name '/reelay/prod/replicate-webhook-secret' --value 'whsec_...'",
  );
});

test('a secret stored as a plain String is refused', async () => {
  storeSecrets('prod');
  twin.parameters.set('/reelay/prod/replicate-api-token', {
    name: '/reelay/prod/replicate-api-token',
    type: 'String',
    value: 'r8_visible',
  });
  const result = await preflight(prod(), clients(), built);
  expect(result.problems).toEqual([
    expect.stringMatching(
      /^SSM parameter \/reelay\/prod\/replicate-api-token is a String, not a SecureString/,
    ),
  ]);
});

test('a prod stage without an alarm e-mail is refused; dev only warns', async () => {
  // Prepare
  storeSecrets('prod');
  storeSecrets('dev');

  // Act
  const prodResult = await preflight(prod({ REELAY_ALARM_EMAIL: '' }), clients(), built);
  const devResult = await preflight(deploySettings([], { REELAY_REGION: 'eu-west-1' }), clients(), built);

  // Assess
  expect(prodResult.problems).toEqual([expect.stringContaining('every stage but dev needs one')]);
  expect(devResult.problems).toEqual([]);
  expect(devResult.warnings).toEqual([expect.stringContaining('Set REELAY_ALARM_EMAIL')]);
});

test('an external issuer without an audience is refused', async () => {
  storeSecrets('prod');
  const result = await preflight(
    prod({ REELAY_JWT_ISSUER_URL: 'https://login.example.com/' }),
    clients(),
    built,
  );
  expect(result.problems).toEqual([expect.stringContaining('without REELAY_JWT_AUDIENCE')]);
});

test('--region and --param, which osls-compose refuses, are refused with the way that works', () => {
  expect(() => deploySettings(['--stage', 'prod', '--region', 'eu-west-1'], {})).toThrow(DeployUsageError);
  expect(() => deploySettings(['--param', 'alarmEmail=a@b.c'], {})).toThrow(/REELAY_REGION/);
  expect(() => deploySettings(['--stage', 'Prod_1'], {})).toThrow(/lower-case/);
});

test('without the static ffmpeg build the deploy stops, naming the command that builds it', async () => {
  // Prepare
  storeSecrets('prod');
  const notBuilt = {
    findStaticFfmpeg: () => undefined,
    buildCommand: () => 'node deploy/static-ffmpeg/index.cjs',
  };

  // Act
  const result = await preflight(prod(), clients(), notBuilt);

  // Assess
  expect(result.problems).toEqual([
    expect.stringContaining('the static ffmpeg and ffprobe that the x86_64 functions ship are not built'),
  ]);
  expect(result.problems[0]).toContain('node deploy/static-ffmpeg/index.cjs');
});

test('by default the deploy looks for the build where packaging takes it from', async () => {
  // Prepare: point the cache at an empty folder, as on a machine that never built it.
  storeSecrets('prod');
  const saved = process.env.REELAY_FFMPEG_CACHE;
  process.env.REELAY_FFMPEG_CACHE = '/nonexistent/reelay-ffmpeg-cache';
  try {
    // Act
    const result = await preflight(prod(), clients());

    // Assess
    expect(result.problems).toEqual([expect.stringContaining('node deploy/static-ffmpeg/index.cjs')]);
  } finally {
    if (saved === undefined) delete process.env.REELAY_FFMPEG_CACHE;
    else process.env.REELAY_FFMPEG_CACHE = saved;
  }
});
