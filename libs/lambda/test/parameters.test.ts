/**
 * Secrets are read from SSM through Powertools Parameters with the real SDK client, against a local
 * SSM twin: decrypted, cached, and read again after a failed read.
 */
import { secretParameter } from '../src/parameters';
import { type SsmTwin, startSsmTwinForSdk } from './support/ssm-twin';

let ssm: SsmTwin;
beforeAll(async () => {
  // What the SDK itself reads (libs/lambda does not look endpoints up any more).
  ssm = await startSsmTwinForSdk();
});
afterAll(() => ssm.close());

test('a failed read is not kept: the next call reads SSM again and gets the secret', async () => {
  // Prepare: the parameter does not exist yet (created late, or a read that failed)
  const read = secretParameter('/reelay/test/late-secret');
  await expect(read()).rejects.toThrow(/late-secret/);

  // Act
  ssm.putSecureString('/reelay/test/late-secret', 'r8_now-there');
  const value = await read();

  // Assess
  expect(value).toBe('r8_now-there');
  expect(ssm.requests.filter((r) => r.name === '/reelay/test/late-secret')).toHaveLength(2);
});

test('a secret is read decrypted once, then served from the cache until it is too old', async () => {
  // Prepare
  ssm.putSecureString('/reelay/test/token', 'r8_secret');
  const read = secretParameter('/reelay/test/token');

  // Act
  const values = [await read(), await read(), await read()];

  // Assess
  expect(values).toEqual(['r8_secret', 'r8_secret', 'r8_secret']);
  expect(ssm.requests.filter((r) => r.name === '/reelay/test/token')).toEqual([
    { name: '/reelay/test/token', withDecryption: true },
  ]);
});
