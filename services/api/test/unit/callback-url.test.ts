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

  // Every form of a non-public address, as an IP literal in the URL (the URL parser normalises the
  // decimal, hex and short IPv4 forms) and as what a host name resolves to.
  it.each([
    ['decimal loopback', 'https://2130706433/'],
    ['hex short-form loopback', 'https://0x7f.1/'],
    ['carrier-grade NAT', 'https://100.64.0.1/'],
    ['IPv4 documentation (TEST-NET-1)', 'https://192.0.2.10/'],
    ['IPv4 documentation (TEST-NET-2)', 'https://198.51.100.10/'],
    ['IPv4 documentation (TEST-NET-3)', 'https://203.0.113.10/'],
    ['IPv4 benchmarking', 'https://198.18.0.1/'],
    ['IPv4 multicast', 'https://224.0.0.251/'],
    ['IPv4 reserved', 'https://240.0.0.1/'],
    ['the limited broadcast', 'https://255.255.255.255/'],
    ['IETF protocol assignments', 'https://192.0.0.170/'],
    ['a private 172.16/12 address', 'https://172.20.0.1/'],
    ['IPv4-compatible loopback', 'https://[::127.0.0.1]/'],
    ['IPv4-compatible metadata address', 'https://[::169.254.169.254]/'],
    ['IPv4-compatible even of a public address (deprecated form)', 'https://[::93.184.216.34]/'],
    ['IPv4-mapped metadata address', 'https://[::ffff:169.254.169.254]/'],
    ['IPv4-mapped private', 'https://[::ffff:10.0.0.1]/'],
    ['NAT64 of loopback', 'https://[64:ff9b::127.0.0.1]/'],
    ['NAT64 of a private address', 'https://[64:ff9b::10.1.2.3]/'],
    ['local-use NAT64', 'https://[64:ff9b:1::a01:203]/'],
    ['6to4 of loopback', 'https://[2002:7f00:1::1]/'],
    ['6to4 of the metadata address', 'https://[2002:a9fe:a9fe::1]/'],
    ['Teredo', 'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/'],
    ['IPv6 unique-local', 'https://[fd00::1]/'],
    ['IPv6 multicast', 'https://[ff02::1]/'],
    ['IPv6 site-local (deprecated)', 'https://[fec0::1]/'],
    ['IPv6 documentation', 'https://[2001:db8::1]/'],
    ['IPv6 documentation (3fff::/20)', 'https://[3fff::1]/'],
    ['IPv6 benchmarking', 'https://[2001:2::1]/'],
    ['IPv6 ORCHIDv2', 'https://[2001:20::1]/'],
    ['IPv6 discard-only', 'https://[100::1]/'],
    ['the IPv6 unspecified address', 'https://[::]/'],
    ['an IPv6 address outside global unicast', 'https://[4000::1]/'],
  ])('refuses %s', async (_name, url) => {
    await expect(checkCallbackUrl(url, production)).rejects.toThrow(CallbackUrlRefusedError);
  });

  it.each([
    ['a public IPv4 address', 'https://93.184.216.34/'],
    ['a public IPv6 address', 'https://[2606:2800:220:1::1]/'],
    ['IPv4-mapped public', 'https://[::ffff:93.184.216.34]/'],
    ['NAT64 of a public address', 'https://[64:ff9b::93.184.216.34]/'],
    ['6to4 of a public address', 'https://[2002:5db8:d822::1]/'],
  ])('accepts %s', async (_name, url) => {
    await expect(checkCallbackUrl(url, production)).resolves.toMatchObject({ url: new URL(url) });
  });

  it('refuses a host name that resolves to an IPv4-compatible, NAT64 or 6to4 form of an inside address', async () => {
    for (const inside of ['::7f00:1', '64:ff9b::a9fe:a9fe', '2002:a00:1::1']) {
      await expect(
        checkCallbackUrl('https://hooks.example.com/x', production, resolvesTo(inside)),
      ).rejects.toThrow(CallbackUrlRefusedError);
    }
  });

  it('treats only a host that does not resolve as worth retrying', async () => {
    const unresolvable: Resolve = async () => {
      throw new Error('ENOTFOUND');
    };
    const dns = await checkCallbackUrl('https://gone.example.com/', production, unresolvable).catch((e) => e);
    const unsafe = await checkCallbackUrl('https://[::127.0.0.1]/', production).catch((e) => e);

    expect(dns).toMatchObject({ retryable: true });
    expect(unsafe).toMatchObject({ retryable: false });
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
