import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type AwsJsonEmulator, startAwsJsonEmulator } from '../../../../../local/cloud/aws-json/src';
import {
  ConnectionNotFoundError,
  InvalidConnectionNameError,
} from '../../../src/connections/connection-errors';
import {
  type ConnectionStoreDeps,
  connectionExists,
  deleteConnection,
  listConnections,
  putYouTubeConnection,
  readYouTubeConnection,
  userSegment,
} from '../../../src/connections/connection-store';

/**
 * Connections as SSM SecureStrings, with the real SSM client against the local Parameter Store: stored
 * encrypted under the user's own path, listed without their secrets, isolated per user.
 */
const CREDENTIALS = {
  clientId: 'client-1',
  clientSecret: 'GOCSPX-secret',
  refreshToken: '1//refresh-secret',
};

let emulator: AwsJsonEmulator;
let ssm: SSMClient;
let deps: ConnectionStoreDeps;

beforeAll(async () => {
  emulator = await startAwsJsonEmulator({ invokeLambda: async () => undefined });
  ssm = new SSMClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  deps = { ssm, parameterPrefix: '/reelay/test', now: () => new Date('2026-12-06T00:00:00Z') };
});
afterAll(async () => {
  ssm.destroy();
  await emulator.close();
});

it('stores a YouTube connection as a SecureString under the user path and reads it back decrypted', async () => {
  // Act
  const summary = await putYouTubeConnection('user-a', 'main', CREDENTIALS, deps);
  const sealed = await ssm.send(new GetParameterCommand({ Name: '/reelay/test/users/user-a/youtube/main' }));
  const read = await readYouTubeConnection('user-a', 'main', deps);

  // Assess
  expect(summary).toEqual({ type: 'youtube', name: 'main', updatedAt: '2026-12-06T00:00:00.000Z' });
  expect(JSON.stringify(summary)).not.toContain('secret');
  expect(sealed.Parameter?.Type).toBe('SecureString');
  expect(sealed.Parameter?.Value).not.toContain('refresh-secret');
  expect(read).toEqual({ ...CREDENTIALS, updatedAt: '2026-12-06T00:00:00.000Z' });
});

it('lists names and types only, and never another user’s connections', async () => {
  // Prepare
  await putYouTubeConnection('user-b', 'channel-one', CREDENTIALS, deps);
  await putYouTubeConnection('user-b', 'channel-two', CREDENTIALS, deps);
  await putYouTubeConnection('user-c', 'theirs', CREDENTIALS, deps);

  // Act
  const listed = await listConnections('user-b', deps);

  // Assess
  expect(listed.map(({ type, name }) => ({ type, name }))).toEqual([
    { type: 'youtube', name: 'channel-one' },
    { type: 'youtube', name: 'channel-two' },
  ]);
  expect(JSON.stringify(listed)).not.toMatch(/secret|refresh|client-1/);
  expect(await connectionExists('user-b', 'youtube', 'theirs', deps)).toBe(false);
  expect(await readYouTubeConnection('user-b', 'theirs', deps)).toBeUndefined();
});

it('deletes a connection, and deleting one that is not there is a 404', async () => {
  // Prepare
  await putYouTubeConnection('user-d', 'gone', CREDENTIALS, deps);

  // Act
  await deleteConnection('user-d', 'youtube', 'gone', deps);
  const again = await deleteConnection('user-d', 'youtube', 'gone', deps).catch((error: unknown) => error);

  // Assess
  expect(await connectionExists('user-d', 'youtube', 'gone', deps)).toBe(false);
  expect(again).toBeInstanceOf(ConnectionNotFoundError);
});

it('refuses a connection name SSM could not hold or that would climb the path', async () => {
  // Act
  const refused = await putYouTubeConnection('user-e', '../user-a/youtube/main', CREDENTIALS, deps).catch(
    (error: unknown) => error,
  );

  // Assess
  expect(refused).toBeInstanceOf(InvalidConnectionNameError);
});

it('keeps a user id SSM cannot spell in one path segment of its own', () => {
  // Act
  const segments = ['auth0|abc', 'a/b', 'plain-id_1'].map(userSegment);

  // Assess
  expect(segments[2]).toBe('plain-id_1');
  for (const segment of segments) expect(segment).toMatch(/^[A-Za-z0-9_.-]+$/);
  expect(new Set(segments).size).toBe(3);
});
