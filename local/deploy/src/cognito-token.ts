/**
 * An access token for a deployed stage from the api stack's own Cognito user pool (when no
 * external issuer is configured): the machine app client's OAuth client-credentials grant.
 * Finds the pool and client by the names the api stack gives them (reelay-<stage>,
 * reelay-<stage>-machine), so that only Cognito permissions are needed, not CloudFormation.
 */
import {
  type CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  paginateListUserPoolClients,
  paginateListUserPools,
} from '@aws-sdk/client-cognito-identity-provider';

export class TokenUnavailableError extends Error {
  override name = 'TokenUnavailableError';
}

export interface MachineClient {
  userPoolId: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  tokenUrl: string;
}

export async function findMachineClient(
  cognito: CognitoIdentityProviderClient,
  stage: string,
  region: string,
): Promise<MachineClient> {
  const poolName = `reelay-${stage}`;
  let userPoolId: string | undefined;
  for await (const page of paginateListUserPools({ client: cognito }, { MaxResults: 60 }))
    userPoolId ??= page.UserPools?.find((pool) => pool.Name === poolName)?.Id;
  if (!userPoolId)
    throw new TokenUnavailableError(
      `no Cognito user pool ${poolName} in ${region}: is the stage deployed there, without REELAY_JWT_ISSUER_URL? (docs/deploy.md "Getting a token")`,
    );
  const clientName = `reelay-${stage}-machine`;
  let clientId: string | undefined;
  for await (const page of paginateListUserPoolClients({ client: cognito }, { UserPoolId: userPoolId }))
    clientId ??= page.UserPoolClients?.find((client) => client.ClientName === clientName)?.ClientId;
  if (!clientId) throw new TokenUnavailableError(`user pool ${poolName} has no app client ${clientName}`);
  const [{ UserPoolClient: client }, { UserPool: pool }] = await Promise.all([
    cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId })),
    cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId })),
  ]);
  if (!client?.ClientSecret) throw new TokenUnavailableError(`app client ${clientName} has no secret`);
  if (!pool?.Domain)
    throw new TokenUnavailableError(`user pool ${poolName} has no domain, so no token endpoint`);
  return {
    userPoolId,
    clientId,
    clientSecret: client.ClientSecret,
    scopes: client.AllowedOAuthScopes ?? [],
    tokenUrl: `https://${pool.Domain}.auth.${region}.amazoncognito.com/oauth2/token`,
  };
}

/** The client-credentials grant (RFC 6749 4.4) against Cognito's token endpoint. */
export async function requestAccessToken(
  client: MachineClient,
  fetchImpl: typeof fetch = fetch,
): Promise<{ accessToken: string; expiresIn: number }> {
  const response = await fetchImpl(client.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: client.scopes.join(' '),
    }).toString(),
  });
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    expires_in?: number;
    error?: string;
  };
  if (!response.ok || !body.access_token)
    throw new TokenUnavailableError(
      `the token endpoint ${client.tokenUrl} answered ${response.status} ${body.error ?? ''}`.trim(),
    );
  return { accessToken: body.access_token, expiresIn: body.expires_in ?? 0 };
}
