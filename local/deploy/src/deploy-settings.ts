/**
 * The deploy parameters, read from the same REELAY_* environment the four serverless.yml files
 * read (docs/deploy.md "Parameters"), with the same defaults, so that the preflight checks
 * exactly what the stacks will use.
 */
export interface DeploySettings {
  stage: string;
  region: string;
  alarmEmail: string;
  jwtIssuerUrl: string;
  jwtAudience: string;
  /** SSM SecureString names the generator reads at run time. */
  replicateApiTokenParameter: string;
  replicateWebhookSecretParameter: string;
}

export class DeployUsageError extends Error {
  override name = 'DeployUsageError';
}

/** `--stage prod`, `--stage=prod` (osls-compose takes no other option that matters here). */
export const stageOf = (args: readonly string[]): string => {
  for (const [index, arg] of args.entries()) {
    if (arg === '--stage' || arg === '-s') {
      const value = args[index + 1];
      if (!value) throw new DeployUsageError('--stage needs a value, e.g. --stage prod');
      return value;
    }
    if (arg.startsWith('--stage=')) return arg.slice('--stage='.length);
  }
  return 'dev';
};

const STAGE = /^[a-z][a-z0-9-]{0,15}$/;

export const deploySettings = (args: readonly string[], env: NodeJS.ProcessEnv): DeploySettings => {
  const stage = stageOf(args);
  // Stage names end up in bucket names, Cognito domains and queue names.
  if (!STAGE.test(stage))
    throw new DeployUsageError(
      `stage "${stage}": use 1-16 lower-case letters, digits and dashes, starting with a letter`,
    );
  if (args.some((arg) => arg === '--region' || arg.startsWith('--region=') || arg === '--param'))
    throw new DeployUsageError(
      'osls-compose refuses --region and --param: set REELAY_REGION and the REELAY_* variables, or params in serverless-compose.yml (docs/deploy.md "Parameters")',
    );
  const value = (name: string, fallback = '') => env[name]?.trim() || fallback;
  return {
    stage,
    region: value('REELAY_REGION', 'us-east-1'),
    alarmEmail: value('REELAY_ALARM_EMAIL'),
    jwtIssuerUrl: value('REELAY_JWT_ISSUER_URL'),
    jwtAudience: value('REELAY_JWT_AUDIENCE'),
    replicateApiTokenParameter: value(
      'REELAY_REPLICATE_API_TOKEN_PARAMETER',
      `/reelay/${stage}/replicate-api-token`,
    ),
    replicateWebhookSecretParameter: value(
      'REELAY_REPLICATE_WEBHOOK_SECRET_PARAMETER',
      `/reelay/${stage}/replicate-webhook-secret`,
    ),
  };
};
