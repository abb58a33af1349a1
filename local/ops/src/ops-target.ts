/**
 * Which cloud and stage `npm run replay` and `npm run redrive` act on, decided once before any call:
 * 1. AWS_ENDPOINT_URL_* set by hand: the SDK goes where they point (stage from --stage, STAGE or dev);
 * 2. --aws: AWS through the SDK's default credential chain;
 * 3. a live `npm run up` recorded in .reelay/up.json: its endpoints, operator keys, region and stage;
 * 4. otherwise AWS, if credentials are in sight; else a usage error instead of an SDK stack trace.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type UpState, upStateFile } from '../../cli/up-state';
import { talksToAws, UsageError } from './cli-options';

type Env = Record<string, string | undefined>;

export type OpsTarget =
  | {
      kind: 'local';
      stage: string;
      region: string;
      pid: number;
      endpoints: { events: string; sqs: string; dynamodb: string };
      credentials: { accessKeyId: string; secretAccessKey: string };
    }
  | { kind: 'endpoints-from-env'; stage: string }
  | { kind: 'aws'; stage: string; region?: string };

export interface TargetInput {
  /** `--stage` as typed, undefined when not given. */
  stage?: string;
  /** `--aws`: AWS even when a local cloud runs. */
  aws?: boolean;
  env?: Env;
  /** The running `npm run up`, if any (runningUp()). */
  up?: UpState;
  /** Where credentials files live (tests point it at an empty folder). */
  home?: string;
}

/** Any of the places the SDK's default chain finds AWS credentials without asking the network. */
export function awsCredentialsInSight(env: Env, home = homedir()): boolean {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return true;
  if (env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE) return true;
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return true;
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials');
  const configFile = env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config');
  return existsSync(credentialsFile) || existsSync(configFile);
}

export function resolveOpsTarget(input: TargetInput): OpsTarget {
  const env = input.env ?? process.env;
  const awsStage = input.stage ?? env.STAGE ?? 'dev';
  if (!talksToAws(env)) return { kind: 'endpoints-from-env', stage: awsStage };
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const aws = { kind: 'aws' as const, stage: awsStage, ...(region ? { region } : {}) };
  if (input.aws) return aws;
  const cloud = input.up?.cloud;
  if (input.up && cloud) {
    if (input.stage !== undefined && input.stage !== cloud.stage)
      throw new UsageError(
        `--stage ${input.stage} does not match the running \`npm run up\` (stage ${cloud.stage}, pid ${input.up.pid}); ` +
          'drop --stage to act on it, or add --aws to act on AWS',
      );
    return {
      kind: 'local',
      stage: cloud.stage,
      region: cloud.region,
      pid: input.up.pid,
      endpoints: {
        events: cloud.endpoints.events,
        sqs: cloud.endpoints.sqs,
        dynamodb: cloud.endpoints.dynamodb,
      },
      credentials: cloud.credentials,
    };
  }
  if (!awsCredentialsInSight(env, input.home))
    throw new UsageError(
      `no local cloud is running (start one with \`npm run up\`; ${upStateFile()} names none alive) ` +
        'and no AWS credentials are set (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws); ' +
        'with an instance or container role, add --aws',
    );
  return aws;
}

/** The first line on stderr: which cloud and stage the command acts on. */
export function describeTarget(target: OpsTarget): string {
  switch (target.kind) {
    case 'local':
      return `acting on the local cloud of \`npm run up\` (stage ${target.stage}, pid ${target.pid})`;
    case 'endpoints-from-env':
      return `acting on the endpoints in AWS_ENDPOINT_URL_* (stage ${target.stage})`;
    case 'aws':
      return `acting on AWS (stage ${target.stage}, region ${target.region ?? 'from your AWS config'})`;
  }
}

/** SDK client configuration for one service: the local cloud's endpoint and keys, else the SDK's defaults. */
export function clientConfig(target: OpsTarget, service: 'events' | 'sqs' | 'dynamodb') {
  if (target.kind !== 'local') return {};
  return { endpoint: target.endpoints[service], region: target.region, credentials: target.credentials };
}

/** The AWS ten-minute rule of replays applies to AWS only: the emulators archive at once. */
export const replayInAws = (target: OpsTarget) => target.kind === 'aws';
