/**
 * A twin of the two AWS endpoints `npm run deploy` asks before deploying: STS GetCallerIdentity
 * (AWS query protocol, XML) and SSM GetParameters (JSON 1.1). The embedded cloud has neither.
 * As strict as AWS where the preflight depends on it: every request must carry a valid SigV4
 * signature by a key the twin issued (else InvalidClientTokenId / UnrecognizedClientException),
 * GetParameters takes 1 to 10 names and reports unknown ones in InvalidParameters.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';

export interface TwinParameter {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
}

export interface TwinUserPool {
  id: string;
  name: string;
  domain?: string;
  clients: Array<{ clientId: string; clientName: string; clientSecret: string; scopes: string[] }>;
}

export interface AwsAccountTwin {
  endpoint: string;
  /** Cognito user pools (ListUserPools, ListUserPoolClients, Describe*, and the /oauth2/token endpoint). */
  userPools: TwinUserPool[];
  credentials: { accessKeyId: string; secretAccessKey: string };
  account: string;
  parameters: Map<string, TwinParameter>;
  /** Every action the twin answered, in order ("sts:GetCallerIdentity", "ssm:GetParameters"). */
  calls: string[];
  close(): Promise<void>;
}

/** node:crypto in the shape smithy's signer wants. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key =
      secret === undefined || typeof secret === 'string'
        ? secret
        : ArrayBuffer.isView(secret)
          ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength)
          : new Uint8Array(secret);
    this.hash = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    if (typeof data === 'string') this.hash.update(data, 'utf8');
    else if (ArrayBuffer.isView(data))
      this.hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else this.hash.update(new Uint8Array(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** Re-signs the request with the issued secret (smithy, the SDK's own signer) and compares. */
const signatureValid = async (
  request: IncomingMessage,
  body: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<boolean> => {
  const authorization = request.headers.authorization ?? '';
  const match =
    /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=(\w+)/.exec(
      authorization,
    );
  if (!match || match[1] !== credentials.accessKeyId) return false;
  const [, , region = '', service = '', signedHeaders = ''] = match;
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) headers[name] = String(request.headers[name] ?? '');
  const date = headers['x-amz-date'] ?? '';
  const signingDate = new Date(
    `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
  );
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
  const [path = '/', query = ''] = (request.url ?? '/').split('?');
  const signed = await signer.sign(
    {
      method: request.method ?? 'POST',
      protocol: 'http:',
      hostname: String(request.headers.host ?? '').split(':')[0] ?? '',
      path,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers,
      body,
    },
    { signingDate },
  );
  return signed.headers.authorization === authorization;
};

const xml = (response: ServerResponse, status: number, text: string) =>
  response.writeHead(status, { 'content-type': 'text/xml' }).end(text);
const json = (response: ServerResponse, status: number, value: unknown) =>
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(value));

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export async function startAwsAccountTwin(): Promise<AwsAccountTwin> {
  const credentials = {
    accessKeyId: 'AKIATWINDEPLOYER0001',
    secretAccessKey: 'twin-secret-for-the-deployer',
  };
  const account = '123456789012';
  const parameters = new Map<string, TwinParameter>();
  const calls: string[] = [];
  const userPools: TwinUserPool[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    if (request.url === '/oauth2/token') return tokenEndpoint(request, body, response);
    if (target.startsWith('AWSCognitoIdentityProviderService.')) {
      if (!(await signatureValid(request, body, credentials)))
        return json(response, 400, {
          __type: 'UnrecognizedClientException',
          message: 'The security token included in the request is invalid.',
        });
      const action = target.slice('AWSCognitoIdentityProviderService.'.length);
      calls.push(`cognito-idp:${action}`);
      return cognito(action, JSON.parse(body) as Record<string, unknown>, response);
    }
    const valid = await signatureValid(request, body, credentials);
    if (target.startsWith('AmazonSSM.')) {
      if (!valid)
        return json(response, 400, {
          __type: 'UnrecognizedClientException',
          message: 'The security token included in the request is invalid.',
        });
      const action = target.slice('AmazonSSM.'.length);
      calls.push(`ssm:${action}`);
      if (action !== 'GetParameters')
        return json(response, 400, {
          __type: 'InvalidAction',
          message: `${action} is not answered by the twin`,
        });
      const names = (JSON.parse(body) as { Names?: unknown }).Names;
      if (!Array.isArray(names) || names.length < 1 || names.length > 10)
        return json(response, 400, {
          __type: 'ValidationException',
          message:
            "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10",
        });
      const found = names.flatMap((name) => {
        const parameter = parameters.get(String(name));
        return parameter
          ? [
              {
                Name: parameter.name,
                Type: parameter.type,
                // Without WithDecryption a SecureString comes back encrypted, as in AWS.
                Value: parameter.type === 'SecureString' ? 'AQICAHh-encrypted' : parameter.value,
                Version: 1,
                ARN: `arn:aws:ssm:us-east-1:${account}:parameter${parameter.name}`,
              },
            ]
          : [];
      });
      return json(response, 200, {
        Parameters: found,
        InvalidParameters: names.filter((name) => !parameters.has(String(name))),
      });
    }
    const form = new URLSearchParams(body);
    if (!valid)
      return xml(
        response,
        403,
        `<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>twin</RequestId></ErrorResponse>`,
      );
    calls.push(`sts:${form.get('Action')}`);
    if (form.get('Action') !== 'GetCallerIdentity')
      return xml(
        response,
        400,
        `<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation ${form.get('Action')}</Message></Error><RequestId>twin</RequestId></ErrorResponse>`,
      );
    return xml(
      response,
      200,
      `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:user/deployer</Arn><UserId>AIDATWINDEPLOYER</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>twin</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  };

  /** The subset of Cognito's user pool API the token command uses, with its validation and errors. */
  const cognito = (action: string, input: Record<string, unknown>, response: ServerResponse) => {
    const notFound = (what: string) =>
      json(response, 400, { __type: 'ResourceNotFoundException', message: `${what} does not exist.` });
    const pool = userPools.find((p) => p.id === input.UserPoolId);
    switch (action) {
      case 'ListUserPools': {
        const max = Number(input.MaxResults);
        if (!Number.isInteger(max) || max < 1 || max > 60)
          return json(response, 400, {
            __type: 'InvalidParameterException',
            message: "1 validation error detected: Value at 'maxResults' failed to satisfy constraint",
          });
        return json(response, 200, {
          UserPools: userPools.slice(0, max).map((p) => ({ Id: p.id, Name: p.name })),
        });
      }
      case 'ListUserPoolClients':
        if (!pool) return notFound(`User pool ${String(input.UserPoolId)}`);
        return json(response, 200, {
          UserPoolClients: pool.clients.map((c) => ({
            ClientId: c.clientId,
            ClientName: c.clientName,
            UserPoolId: pool.id,
          })),
        });
      case 'DescribeUserPoolClient': {
        const client = pool?.clients.find((c) => c.clientId === input.ClientId);
        if (!pool || !client) return notFound(`User pool client ${String(input.ClientId)}`);
        return json(response, 200, {
          UserPoolClient: {
            UserPoolId: pool.id,
            ClientId: client.clientId,
            ClientName: client.clientName,
            ClientSecret: client.clientSecret,
            AllowedOAuthFlows: ['client_credentials'],
            AllowedOAuthScopes: client.scopes,
          },
        });
      }
      case 'DescribeUserPool':
        if (!pool) return notFound(`User pool ${String(input.UserPoolId)}`);
        return json(response, 200, {
          UserPool: { Id: pool.id, Name: pool.name, ...(pool.domain ? { Domain: pool.domain } : {}) },
        });
      default:
        return json(response, 400, {
          __type: 'InvalidAction',
          message: `${action} is not answered by the twin`,
        });
    }
  };

  /** Cognito's OAuth token endpoint, client-credentials grant: HTTP Basic client authentication and scopes. */
  const tokenEndpoint = (request: IncomingMessage, body: string, response: ServerResponse) => {
    const oauthError = (status: number, error: string) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const [clientId, clientSecret] = Buffer.from(basic ?? '', 'base64')
      .toString('utf8')
      .split(':');
    const client = userPools.flatMap((p) => p.clients).find((c) => c.clientId === clientId);
    if (!client || client.clientSecret !== clientSecret) return oauthError(400, 'invalid_client');
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (scopes.some((scope) => !client.scopes.includes(scope))) return oauthError(400, 'invalid_scope');
    calls.push('oauth2:token');
    return response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        access_token: `twin-access-token-for-${client.clientId}`,
        expires_in: 3600,
        token_type: 'Bearer',
      }),
    );
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    credentials,
    account,
    parameters,
    userPools,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
