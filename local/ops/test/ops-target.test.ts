import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runningApi, runningUp, type UpState, writeUpState } from '../../cli/up-state';
import { UsageError } from '../src/cli-options';
import { clientConfig, describeTarget, replayInAws, resolveOpsTarget } from '../src/ops-target';

const cloud = {
  stage: 'local',
  region: 'us-east-1',
  endpoints: {
    events: 'http://127.0.0.1:4010',
    sqs: 'http://127.0.0.1:4011',
    s3: 'http://127.0.0.1:4012',
    dynamodb: 'http://127.0.0.1:4013',
    stepfunctions: 'http://127.0.0.1:4014',
  },
  credentials: { accessKeyId: 'LOCALOPERATOR', secretAccessKey: 'local-secret' },
};
const awsKeys = {
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_REGION: 'eu-west-1',
};

let dir: string;
let emptyHome: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reelay-ops-target-'));
  emptyHome = join(dir, 'home');
  file = join(dir, 'up.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that surely ended: a child that ran and was reaped. */
const deadPid = () => Number(spawnSync(process.execPath, ['-e', '']).pid);

const liveUp = (): UpState => ({ api: 'http://127.0.0.1:4000', pid: process.pid, cloud });

describe('the state `npm run up` records for the operator tools', () => {
  test('is written readable by its owner only, as it holds the operator keys', () => {
    writeFileSync(file, '{}', { mode: 0o644 });

    writeUpState(liveUp(), file);

    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).cloud).toEqual(cloud);
  });

  test('is read back while its process lives, and not once it has ended', () => {
    writeUpState(liveUp(), file);
    expect(runningUp(file)).toEqual(liveUp());

    writeUpState({ ...liveUp(), pid: deadPid() }, file);
    expect(runningUp(file)).toBeUndefined();
    expect(runningApi(file)).toBeUndefined();
  });

  test('an older file without the cloud still gives `npm run jobs` its API, but no cloud to act on', () => {
    writeFileSync(file, JSON.stringify({ api: 'http://127.0.0.1:4000', pid: process.pid }));

    expect(runningApi(file)).toBe('http://127.0.0.1:4000');
    expect(() => resolveOpsTarget({ env: {}, home: emptyHome, up: runningUp(file) })).toThrow(
      /no local cloud is running/,
    );
  });
});

describe('which cloud replay and redrive act on', () => {
  test('a live `npm run up`: its endpoints, keys, region and stage, without the AWS ten-minute rule', () => {
    writeUpState(liveUp(), file);

    const target = resolveOpsTarget({ env: awsKeys, home: emptyHome, up: runningUp(file) });

    expect(target).toMatchObject({ kind: 'local', stage: 'local', region: 'us-east-1', pid: process.pid });
    expect(describeTarget(target)).toBe(
      `acting on the local cloud of \`npm run up\` (stage local, pid ${process.pid})`,
    );
    expect(clientConfig(target, 'events')).toEqual({
      endpoint: 'http://127.0.0.1:4010',
      region: 'us-east-1',
      credentials: cloud.credentials,
    });
    expect(clientConfig(target, 'sqs').endpoint).toBe('http://127.0.0.1:4011');
    expect(clientConfig(target, 'dynamodb').endpoint).toBe('http://127.0.0.1:4013');
    expect(replayInAws(target)).toBe(false);
  });

  test('the same --stage as the running cloud is accepted; another is a usage error naming both', () => {
    const up = liveUp();

    expect(resolveOpsTarget({ env: {}, up, stage: 'local' }).kind).toBe('local');
    expect(() => resolveOpsTarget({ env: {}, up, stage: 'dev' })).toThrow(UsageError);
    expect(() => resolveOpsTarget({ env: {}, up, stage: 'dev' })).toThrow(
      `--stage dev does not match the running \`npm run up\` (stage local, pid ${process.pid})`,
    );
  });

  test('a dead `npm run up` with AWS keys in the environment: AWS, dev stage, the ten-minute rule', () => {
    writeUpState({ ...liveUp(), pid: deadPid() }, file);

    const target = resolveOpsTarget({ env: awsKeys, home: emptyHome, up: runningUp(file) });

    expect(target).toEqual({ kind: 'aws', stage: 'dev', region: 'eu-west-1' });
    expect(describeTarget(target)).toBe('acting on AWS (stage dev, region eu-west-1)');
    expect(clientConfig(target, 'events')).toEqual({});
    expect(replayInAws(target)).toBe(true);
  });

  test('no file and no AWS credentials: a usage error, not an SDK credential stack trace', () => {
    expect(() => resolveOpsTarget({ env: {}, home: emptyHome, up: runningUp(file) })).toThrow(UsageError);
    expect(() => resolveOpsTarget({ env: {}, home: emptyHome, up: undefined })).toThrow(
      /no local cloud is running .* and no AWS credentials are set/,
    );
  });

  test('--aws acts on AWS even while a local cloud runs, with --stage as given', () => {
    const target = resolveOpsTarget({ env: {}, home: emptyHome, up: liveUp(), aws: true, stage: 'prod' });

    expect(target).toEqual({ kind: 'aws', stage: 'prod' });
    expect(describeTarget(target)).toBe('acting on AWS (stage prod, region from your AWS config)');
  });

  test('AWS_ENDPOINT_URL_* set by hand win over a running cloud, and the ten-minute rule does not apply', () => {
    const env = { AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:4566', STAGE: 'test' };

    const target = resolveOpsTarget({ env, up: liveUp() });

    expect(target).toEqual({ kind: 'endpoints-from-env', stage: 'test' });
    expect(describeTarget(target)).toBe('acting on the endpoints in AWS_ENDPOINT_URL_* (stage test)');
    expect(clientConfig(target, 'events')).toEqual({});
    expect(replayInAws(target)).toBe(false);
  });

  test('an AWS profile or a credentials file counts as credentials in sight', () => {
    expect(resolveOpsTarget({ env: { AWS_PROFILE: 'ops' }, home: emptyHome }).kind).toBe('aws');
    const credentials = join(dir, 'credentials');
    writeFileSync(credentials, '[default]\n');
    expect(
      resolveOpsTarget({ env: { AWS_SHARED_CREDENTIALS_FILE: credentials }, home: emptyHome }).kind,
    ).toBe('aws');
  });
});
