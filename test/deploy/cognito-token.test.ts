/**
 * `npm run token -- --stage <stage>` finds the api stack's user pool and machine client by the names
 * the stack gives them and gets an access token with the client-credentials grant. The real
 * Cognito client talks to a local twin of Cognito and its token endpoint.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  findMachineClient,
  requestAccessToken,
  TokenUnavailableError,
} from '../../local/deploy/src/cognito-token';
import { type AwsAccountTwin, startAwsAccountTwin } from './aws-account-twin';

let twin: AwsAccountTwin;
beforeAll(async () => {
  twin = await startAwsAccountTwin();
});
afterAll(async () => {
  await twin.close();
});
beforeEach(() => {
  twin.userPools.length = 0;
  twin.calls.length = 0;
});

const cognito = () =>
  new CognitoIdentityProviderClient({
    region: 'eu-west-1',
    endpoint: twin.endpoint,
    credentials: twin.credentials,
  });

const prodPool = () => ({
  id: 'eu-west-1_Prod',
  name: 'reelay-prod',
  domain: `reelay-prod-${twin.account}`,
  clients: [
    {
      clientId: 'machine123',
      clientName: 'reelay-prod-machine',
      clientSecret: 's3cret',
      scopes: ['reelay/jobs'],
    },
  ],
});

test('finds the stage pool and machine client and gets a token with its secret and scope', async () => {
  // Prepare: another stage's pool first, as in an account with several stages.
  twin.userPools.push({ ...prodPool(), id: 'eu-west-1_Dev', name: 'reelay-dev', clients: [] }, prodPool());

  // Act
  const client = await findMachineClient(cognito(), 'prod', 'eu-west-1');
  const token = await requestAccessToken({ ...client, tokenUrl: `${twin.endpoint}/oauth2/token` });

  // Assess
  expect(client).toEqual({
    userPoolId: 'eu-west-1_Prod',
    clientId: 'machine123',
    clientSecret: 's3cret',
    scopes: ['reelay/jobs'],
    tokenUrl: `https://reelay-prod-${twin.account}.auth.eu-west-1.amazoncognito.com/oauth2/token`,
  });
  expect(token).toEqual({ accessToken: 'twin-access-token-for-machine123', expiresIn: 3600 });
});

test('a stage deployed with an external issuer (no pool) says so', async () => {
  await expect(findMachineClient(cognito(), 'prod', 'eu-west-1')).rejects.toThrow(
    new TokenUnavailableError(
      'no Cognito user pool reelay-prod in eu-west-1: is the stage deployed there, without REELAY_JWT_ISSUER_URL? (docs/deploy.md "Getting a token")',
    ),
  );
});

test('a wrong client secret is refused by the token endpoint with invalid_client', async () => {
  twin.userPools.push(prodPool());
  const client = await findMachineClient(cognito(), 'prod', 'eu-west-1');
  await expect(
    requestAccessToken({ ...client, clientSecret: 'wrong', tokenUrl: `${twin.endpoint}/oauth2/token` }),
  ).rejects.toThrow(/answered 400 invalid_client/);
});
