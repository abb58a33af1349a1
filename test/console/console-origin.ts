import { request } from 'node:http';
import type { ConsoleHarness } from './console-harness';

/**
 * The console is a local app only its own origin can use: what a page on another site, a DNS-rebound
 * name, or a local process without the operator token can get from it. Requests are sent with
 * node:http, which (unlike fetch) lets a test set Host, Origin and Sec-Fetch-Site as an attacker's
 * browser would send them.
 *
 * Run by console.test.ts on its console and cloud (no jobs, nothing changed), rather than as a suite
 * of its own that started a cloud for these few requests.
 */
export function describeOriginChecks(harness: () => ConsoleHarness): void {
  describe('the console answers only its own origin, and operators only', () => {
    let port: number;
    const cloud = () => harness().cloud;

    beforeAll(() => {
      port = Number(new URL(harness().web.url).port);
    });

    function send(
      method: string,
      path: string,
      headers: Record<string, string> = {},
      body?: string,
    ): Promise<{ status: number; body: string }> {
      return new Promise((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }

    const tokenClaims = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

    it('hands its own page a token with the operator role', async () => {
      const own = await send('GET', '/config.json', { 'sec-fetch-site': 'same-origin' });
      const viaLocalhost = await send('GET', '/config.json', { host: `localhost:${port}` });

      expect(own.status).toBe(200);
      expect(tokenClaims(JSON.parse(own.body).token)).toMatchObject({
        sub: 'local-user',
        'cognito:groups': ['operator'],
      });
      expect(viaLocalhost.status).toBe(200);
    });

    it('refuses /config.json to a DNS-rebound name (another Host) and to a cross-site page', async () => {
      const rebound = await send('GET', '/config.json', { host: `evil.example:${port}` });
      const crossSite = await send('GET', '/config.json', {
        origin: 'http://evil.example',
        'sec-fetch-site': 'cross-site',
      });

      expect(rebound.status).toBe(403);
      expect(rebound.body).not.toContain('token');
      expect(crossSite.status).toBe(403);
      expect(crossSite.body).not.toContain('token');
    });

    it('refuses a simple cross-site POST (text/plain from another Origin) to the operator routes', async () => {
      const now = Date.now();
      const replay = JSON.stringify({
        from: new Date(now - 60_000).toISOString(),
        to: new Date(now).toISOString(),
      });
      const { token } = JSON.parse((await send('GET', '/config.json')).body) as { token: string };

      const res = await send(
        'POST',
        '/ops/replay',
        { origin: 'http://evil.example', 'content-type': 'text/plain', authorization: `Bearer ${token}` },
        replay,
      );

      expect(res.status).toBe(403);
    });

    it('answers the operator routes only with a valid bearer token carrying the operator role', async () => {
      const queues = JSON.parse((await send('GET', '/config.json')).body) as { token: string };
      const path = `/ops/queues/reelay-${cloud().stage}-callbacks-dlq/messages`;

      const anonymous = await send('GET', path);
      const forged = await send('GET', path, { authorization: 'Bearer abc.def.ghi' });
      const plainUser = await send('GET', path, { authorization: `Bearer ${cloud().token('someone')}` });
      const operator = await send('GET', '/ops/queues', { authorization: `Bearer ${queues.token}` });

      expect(anonymous.status).toBe(401);
      expect(forged.status).toBe(401);
      expect(plainUser.status).toBe(403);
      expect(operator.status).toBe(200);
      expect(JSON.parse(operator.body).queues.length).toBeGreaterThan(0);
    });

    it('serves the page itself only under its own Host', async () => {
      const own = await send('GET', '/');
      const rebound = await send('GET', '/', { host: `attacker.test:${port}` });

      expect(own.status).toBe(200);
      expect(rebound.status).toBe(403);
    });
  });
}
