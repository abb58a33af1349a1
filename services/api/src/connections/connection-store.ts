import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  type GetParametersByPathCommandOutput,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { ConnectionNotFoundError, InvalidConnectionNameError } from './connection-errors';

/** The kinds of connection a user can store (each a destination type of `publish`). */
export const CONNECTION_TYPES = ['youtube'] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export const CONNECTION_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** What a user stores for YouTube: their own OAuth client and the refresh token it was granted. */
export const youtubeConnectionSchema = z.strictObject({
  clientId: z.string().min(1).max(256),
  clientSecret: z.string().min(1).max(256),
  refreshToken: z.string().min(1).max(2048),
});
export type YouTubeCredentials = z.infer<typeof youtubeConnectionSchema>;

export interface StoredYouTubeConnection extends YouTubeCredentials {
  updatedAt: string;
}

export interface ConnectionSummary {
  type: ConnectionType;
  name: string;
  updatedAt: string;
}

export interface ConnectionStoreDeps {
  ssm: Pick<SSMClient, 'send'>;
  /** `/reelay/<stage>`: the api role may touch `<prefix>/users/*` only. */
  parameterPrefix: string;
  now?: () => Date;
}

/**
 * A user's id as one SSM path segment: SSM names allow letters, digits and `_.-` only, so any other id
 * (an issuer's `auth0|…` subject) is written as `b64.` + its base64url, which cannot contain a slash.
 */
export function userSegment(userId: string): string {
  return /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(userId) && !userId.startsWith('b64.')
    ? userId
    : `b64.${Buffer.from(userId, 'utf8').toString('base64url')}`;
}

export function userConnectionsPath(
  deps: Pick<ConnectionStoreDeps, 'parameterPrefix'>,
  userId: string,
): string {
  return `${deps.parameterPrefix}/users/${userSegment(userId)}`;
}

export function connectionParameterName(
  deps: Pick<ConnectionStoreDeps, 'parameterPrefix'>,
  userId: string,
  type: ConnectionType,
  name: string,
): string {
  if (!CONNECTION_NAME.test(name)) throw new InvalidConnectionNameError(name);
  return `${userConnectionsPath(deps, userId)}/${type}/${name}`;
}

/** Stores (or replaces) a YouTube connection as a SecureString; the secret never leaves SSM again except to the publisher. */
export async function putYouTubeConnection(
  userId: string,
  name: string,
  credentials: YouTubeCredentials,
  deps: ConnectionStoreDeps,
): Promise<ConnectionSummary> {
  const updatedAt = (deps.now?.() ?? new Date()).toISOString();
  const stored: StoredYouTubeConnection = { ...credentials, updatedAt };
  await deps.ssm.send(
    new PutParameterCommand({
      Name: connectionParameterName(deps, userId, 'youtube', name),
      Value: JSON.stringify(stored),
      Type: 'SecureString',
      Overwrite: true,
      Description: 'Reelay YouTube connection (OAuth client and refresh token)',
    }),
  );
  return { type: 'youtube', name, updatedAt };
}

/** The user's connections by type and name, read without decryption: listing never touches a secret. */
export async function listConnections(
  userId: string,
  deps: ConnectionStoreDeps,
): Promise<ConnectionSummary[]> {
  const base = userConnectionsPath(deps, userId);
  const summaries: ConnectionSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page: GetParametersByPathCommandOutput = await deps.ssm.send(
      new GetParametersByPathCommand({
        Path: base,
        Recursive: true,
        WithDecryption: false,
        NextToken: nextToken,
      }),
    );
    for (const parameter of page.Parameters ?? []) {
      const [type, name, ...rest] = (parameter.Name ?? '').slice(base.length + 1).split('/');
      if (rest.length > 0 || !name || !CONNECTION_TYPES.includes(type as ConnectionType)) continue;
      summaries.push({
        type: type as ConnectionType,
        name,
        updatedAt: (parameter.LastModifiedDate ?? new Date(0)).toISOString(),
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return summaries.sort((a, b) => `${a.type}/${a.name}`.localeCompare(`${b.type}/${b.name}`));
}

export async function deleteConnection(
  userId: string,
  type: ConnectionType,
  name: string,
  deps: ConnectionStoreDeps,
): Promise<void> {
  try {
    await deps.ssm.send(
      new DeleteParameterCommand({ Name: connectionParameterName(deps, userId, type, name) }),
    );
  } catch (error) {
    if (error instanceof ParameterNotFound) throw new ConnectionNotFoundError(type, name);
    throw error;
  }
}

/** Whether the user has this connection (read without decryption: submit only checks it exists). */
export async function connectionExists(
  userId: string,
  type: ConnectionType,
  name: string,
  deps: ConnectionStoreDeps,
): Promise<boolean> {
  try {
    await deps.ssm.send(
      new GetParameterCommand({
        Name: connectionParameterName(deps, userId, type, name),
        WithDecryption: false,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ParameterNotFound) return false;
    throw error;
  }
}

/** The publisher's read: the decrypted credentials, or undefined when the user deleted the connection. */
export async function readYouTubeConnection(
  userId: string,
  name: string,
  deps: ConnectionStoreDeps,
): Promise<StoredYouTubeConnection | undefined> {
  try {
    const { Parameter } = await deps.ssm.send(
      new GetParameterCommand({
        Name: connectionParameterName(deps, userId, 'youtube', name),
        WithDecryption: true,
      }),
    );
    const stored = JSON.parse(Parameter?.Value ?? '{}') as Record<string, unknown>;
    return {
      ...youtubeConnectionSchema.parse({
        clientId: stored.clientId,
        clientSecret: stored.clientSecret,
        refreshToken: stored.refreshToken,
      }),
      updatedAt: String(stored.updatedAt ?? ''),
    };
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw error;
  }
}
