/**
 * What `npm run deploy` checks before it starts osls-compose, so that a deploy does not fail
 * half-way (or succeed and then fail every job): AWS credentials that work, the SSM secrets the
 * generator reads, and the parameters a non-dev stage must have. Each problem says how to fix it.
 */
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { DeploySettings } from './deploy-settings';

export interface PreflightResult {
  /** Who deploys (STS GetCallerIdentity), when the credentials work. */
  account?: string;
  arn?: string;
  /** Each stops the deploy. */
  problems: string[];
  /** Printed, the deploy goes on. */
  warnings: string[];
}

export interface PreflightClients {
  sts: STSClient;
  ssm: SSMClient;
}

/**
 * The static ffmpeg and ffprobe that the x86_64 functions ship (deploy/static-ffmpeg): packaging
 * refuses to zip those functions without them, so the deploy checks for them before it starts.
 */
export interface LambdaBinaries {
  findStaticFfmpeg(arch: 'x86_64'): { dir: string } | undefined;
  buildCommand(): string;
}

const cachedStaticFfmpeg: LambdaBinaries = require('../../../deploy/static-ffmpeg/index.cjs');

/** The secrets the generator reads from SSM, and what to put in each. */
const secrets = (settings: DeploySettings) => [
  {
    name: settings.replicateApiTokenParameter,
    what: 'your Replicate API token (https://replicate.com/account/api-tokens)',
    value: 'r8_...',
  },
  {
    name: settings.replicateWebhookSecretParameter,
    what: 'your Replicate webhook signing secret (curl -s -H "Authorization: Bearer $REPLICATE_API_TOKEN" https://api.replicate.com/v1/webhooks/default/secret)',
    value: 'whsec_...',
  },
];

const putParameterCommand = (settings: DeploySettings, name: string, value: string) =>
  `aws ssm put-parameter --region ${settings.region} --type SecureString --name '${name}' --value '${value}'`;

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

export async function preflight(
  settings: DeploySettings,
  clients: PreflightClients,
  binaries: LambdaBinaries = cachedStaticFfmpeg,
): Promise<PreflightResult> {
  const result: PreflightResult = { problems: [], warnings: [] };

  if (!binaries.findStaticFfmpeg('x86_64'))
    result.problems.push(
      `the static ffmpeg and ffprobe that the x86_64 functions ship are not built on this machine. Build them once (minutes; Debian 12 x86_64 with apt, as root or with the sudo command it prints; elsewhere in a debian:12 container, docs/deploy.md "Prerequisites"):\n    ${binaries.buildCommand()}`,
    );

  try {
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    result.account = identity.Account;
    result.arn = identity.Arn;
  } catch (error) {
    result.problems.push(
      `no working AWS credentials (${describe(error)}). Configure them (aws configure, aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN; AWS_PROFILE to pick a profile) and run again.`,
    );
    // Without credentials SSM cannot be asked either.
    return result;
  }

  const wanted = secrets(settings);
  try {
    const { Parameters = [], InvalidParameters = [] } = await clients.ssm.send(
      new GetParametersCommand({ Names: wanted.map((secret) => secret.name) }),
    );
    for (const secret of wanted) {
      if (InvalidParameters.includes(secret.name)) {
        result.problems.push(
          `SSM parameter ${secret.name} is missing: it holds ${secret.what}. Create it with:\n    ${putParameterCommand(settings, secret.name, secret.value)}`,
        );
        continue;
      }
      const found = Parameters.find((parameter) => parameter.Name === secret.name);
      if (found && found.Type !== 'SecureString')
        result.problems.push(
          `SSM parameter ${secret.name} is a ${found.Type}, not a SecureString: it is a secret. Replace it with:\n    aws ssm delete-parameter --region ${settings.region} --name '${secret.name}' && ${putParameterCommand(settings, secret.name, secret.value)}`,
        );
    }
  } catch (error) {
    result.problems.push(
      `could not read the SSM parameters ${wanted.map((secret) => secret.name).join(', ')} in ${settings.region} (${describe(error)}): the deploying identity needs ssm:GetParameters on them.`,
    );
  }

  if (!settings.alarmEmail) {
    const message =
      'no alarm e-mail: the alarms (DLQ depth, queue age, function errors, job latency) would notify nobody. Set REELAY_ALARM_EMAIL=you@example.com';
    if (settings.stage === 'dev')
      result.warnings.push(`${message} (only the dev stage may deploy without one).`);
    else result.problems.push(`${message}: every stage but dev needs one.`);
  }

  if (settings.jwtIssuerUrl && !settings.jwtAudience)
    result.problems.push(
      `REELAY_JWT_ISSUER_URL is set without REELAY_JWT_AUDIENCE: the authorizer needs the audience (or client id) your issuer's tokens carry.`,
    );
  if (settings.jwtIssuerUrl && !settings.jwtIssuerUrl.startsWith('https://'))
    result.problems.push(`REELAY_JWT_ISSUER_URL must be an https:// URL, not ${settings.jwtIssuerUrl}.`);

  return result;
}
