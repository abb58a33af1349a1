/**
 * `npm run deploy -- [--stage <stage>]`: checks credentials, secrets and parameters
 * (preflight.ts), then deploys the four stacks with osls-compose. Needs only Node and AWS
 * credentials on the deploying machine (docs/deploy.md).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { DeployUsageError, deploySettings } from './deploy-settings';
import { preflight } from './preflight';

const root = join(__dirname, '..', '..', '..');
const say = (line: string) => process.stderr.write(`[reelay deploy] ${line}\n`);

async function main(args: string[]): Promise<number> {
  const settings = deploySettings(args, process.env);
  const clients = {
    sts: new STSClient({ region: settings.region }),
    ssm: new SSMClient({ region: settings.region }),
  };
  say(`stage ${settings.stage}, region ${settings.region}: checking credentials and parameters…`);
  const checked = await preflight(settings, clients);
  for (const warning of checked.warnings) say(`WARNING: ${warning}`);
  if (checked.problems.length > 0) {
    say(`cannot deploy yet:\n${checked.problems.map((problem) => `  - ${problem}`).join('\n')}`);
    return 1;
  }
  say(`deploying as ${checked.arn} (account ${checked.account})`);
  const bin = join(root, 'node_modules', '.bin');
  const deployed = spawnSync(join(bin, 'osls-compose'), ['deploy', '--stage', settings.stage], {
    cwd: root,
    stdio: 'inherit',
    // osls-compose finds `serverless` on PATH; the region reaches every serverless.yml through REELAY_REGION.
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, REELAY_REGION: settings.region },
  });
  if (deployed.status === 0)
    say(`done. Next: npm run token -- --stage ${settings.stage} (docs/deploy.md "Getting a token")`);
  return deployed.status ?? 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(
      error instanceof DeployUsageError
        ? error.message
        : String(error instanceof Error ? error.stack : error),
    );
    process.exit(2);
  },
);
