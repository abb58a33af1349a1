/**
 * `npm run token -- <userId>`: prints a dev token for that user, valid against any local cloud on this machine.
 * `npm run token -- --stage <stage>`: prints an access token for a deployed stage, from the api
 * stack's Cognito user pool (AWS credentials that may read it; region from REELAY_REGION).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DevIssuer } from '../cloud/src/dev-issuer';
import { findMachineClient, requestAccessToken, TokenUnavailableError } from '../deploy/src/cognito-token';

const usage = () => {
  process.stderr.write(
    'usage: npm run token -- <userId>          a local dev token (letters, digits and _-:.@, at most 128)\n' +
      '       npm run token -- --stage <stage>   a token for a deployed stage (REELAY_REGION, default us-east-1)\n',
  );
  process.exit(2);
};

async function cloudToken(stage: string): Promise<void> {
  const region = process.env.REELAY_REGION?.trim() || 'us-east-1';
  const client = await findMachineClient(new CognitoIdentityProviderClient({ region }), stage, region);
  const { accessToken, expiresIn } = await requestAccessToken(client);
  process.stderr.write(`[reelay] token for ${stage} (client ${client.clientId}), valid ${expiresIn} s\n`);
  process.stdout.write(`${accessToken}\n`);
}

const [first, second] = process.argv.slice(2);
if (first === '--stage' || first?.startsWith('--stage=')) {
  const stage = first === '--stage' ? second : first.slice('--stage='.length);
  if (!stage) usage();
  cloudToken(String(stage)).catch((error: unknown) => {
    process.stderr.write(
      `[reelay] ${error instanceof TokenUnavailableError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
    process.exit(1);
  });
} else {
  if (!first || !/^[A-Za-z0-9_\-:.@]{1,128}$/.test(first)) usage();
  process.stdout.write(`${DevIssuer.loadOrCreate().token(String(first))}\n`);
}
