import { CallbackUrlRefusedError, checkCallbackUrl, type Resolve } from '../../src/callbacks/callback-url';

const production = { allowLoopbackHttp: false };
const testOnly = { allowLoopbackHttp: true };
const resolvesTo =
  (...addresses: string[]): Resolve =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('callback URL rules', () => {
  it.each([
    ['loopback', 'https://127.0.0.1/hook'],
    ['the cloud metadata address (link-local)', 'https://169.254.169.254/latest/meta-data'],
    ['a private 10/8 address', 'https://10.1.2.3/hook'],
    ['a private 192.168/16 address', 'https://192.168.0.10/hook'],
    ['IPv6 loopback', 'https://[::1]/hook'],
    ['an IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/hook'],
    ['IPv6 link-local', 'https://[fe80::1]/hook'],
    ['the unspecified address', 'https://0.0.0.0/hook'],
  ])('refuses %s', async (_name, url) => {
    await expect(checkCallbackUrl(url, production)).rejects.toThrow(CallbackUrlRefusedError);
  });

  it('refuses a public host name that resolves to a private address', async () => {
    await expect(
      checkCallbackUrl('https://hooks.example.com/x', production, resolvesTo('93.184.216.34', '10.0.0.7')),
    ).rejects.toThrow(/10\.0\.0\.7/);
  });

  it('refuses plain http and URLs with credentials', async () => {
    await expect(
      checkCallbackUrl('http://hooks.example.com/x', production, resolvesTo('93.184.216.34')),
    ).rejects.toThrow(/https/);
    await expect(
      checkCallbackUrl('https://u:p@hooks.example.com/x', production, resolvesTo('93.184.216.34')),
    ).rejects.toThrow(/credentials/);
  });

  it('accepts an https URL whose every address is public, and pins those addresses', async () => {
    const checked = await checkCallbackUrl(
      'https://hooks.example.com/x',
      production,
      resolvesTo('93.184.216.34', '2606:2800:220:1::1'),
    );

    expect(checked.addresses.map((a) => a.address)).toEqual(['93.184.216.34', '2606:2800:220:1::1']);
  });

  it('allows an http receiver on loopback only with the test-only setting, and still no private addresses', async () => {
    await expect(checkCallbackUrl('http://127.0.0.1:8080/hook', testOnly)).resolves.toMatchObject({
      addresses: [{ address: '127.0.0.1' }],
    });
    await expect(checkCallbackUrl('http://127.0.0.1:8080/hook', production)).rejects.toThrow(
      CallbackUrlRefusedError,
    );
    await expect(checkCallbackUrl('http://169.254.169.254/', testOnly)).rejects.toThrow(
      /link-local|linkLocal/,
    );
    await expect(checkCallbackUrl('http://10.0.0.1/', testOnly)).rejects.toThrow(/private/);
  });
});
