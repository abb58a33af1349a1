import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { RouteSpec } from './deploy/deploy-stack';
import { DevIssuer } from './dev-issuer';

type Invoke = (functionArn: string, event: unknown) => Promise<unknown>;

interface CompiledRoute extends RouteSpec {
  method: string;
  pattern: RegExp;
  paramNames: string[];
}

const AUTH_PATH = '/.local-auth';

/**
 * API Gateway HTTP API (payload format 2.0) on 127.0.0.1: matches the routes of the packaged
 * templates, verifies the JWT as the authorizer would (against the local dev issuer), and invokes
 * the route's function with the same event shape as in AWS.
 */
export class LocalHttpApi {
  private readonly routes: CompiledRoute[] = [];
  private server?: Server;
  private verifier?: ReturnType<typeof JwtRsaVerifier.create>;
  issuer?: DevIssuer;
  url = '';

  constructor(private readonly invoke: Invoke) {}

  addRoute(route: RouteSpec): void {
    const [method, path] = route.routeKey.split(' ') as [string, string];
    const paramNames: string[] = [];
    const pattern = new RegExp(
      `^${path.replace(/\{([^}+]+)(\+?)\}/g, (_, name: string, greedy: string) => {
        paramNames.push(name);
        return greedy ? '(.+)' : '([^/]+)';
      })}$`,
    );
    this.routes.push({ ...route, method, pattern, paramNames });
  }

  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `local gateway: ${error.message}` }));
      });
    });
    // Longer than any client's idle keep-alive (undici keeps 4 s): a busy machine must not close a socket
    // a client is about to reuse (ECONNRESET on a poll).
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.issuer = DevIssuer.loadOrCreate();
    this.verifier = JwtRsaVerifier.create({
      issuer: this.issuer.issuer,
      audience: DevIssuer.AUDIENCE,
      jwksUri: `${this.url}${AUTH_PATH}/.well-known/jwks.json`,
    });
    this.verifier.cacheJwks(this.issuer.jwks() as never, this.issuer.issuer);
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname === `${AUTH_PATH}/.well-known/jwks.json`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.issuer?.jwks()));
      return;
    }
    const method = req.method ?? 'GET';
    let matched: { route: CompiledRoute; params: Record<string, string> } | undefined;
    for (const route of this.routes) {
      const m = url.pathname.match(route.pattern);
      if (!m) continue;
      if (route.method !== method && route.method !== 'ANY') continue;
      matched = {
        route,
        params: Object.fromEntries(route.paramNames.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')])),
      };
      break;
    }
    if (!matched) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: 'Not Found' }));
      return;
    }
    const body = await readBody(req);
    let claims: Record<string, unknown> | undefined;
    if (matched.route.jwt) {
      const token = String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      try {
        claims = (await this.verifier?.verify(token)) as Record<string, unknown> | undefined;
      } catch {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        res.end(JSON.stringify({ message: 'Unauthorized' }));
        return;
      }
    }
    const event = {
      version: '2.0',
      routeKey: matched.route.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
      ),
      queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
      pathParameters: Object.keys(matched.params).length ? matched.params : undefined,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: url.host,
        http: {
          method,
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: req.headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: matched.route.routeKey,
        stage: '$default',
        time: new Date().toISOString(),
        timeEpoch: Date.now(),
        ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
      },
      body: body.length ? body.toString('utf8') : undefined,
      isBase64Encoded: false,
    };
    const result = await this.invoke(matched.route.functionArn, event);
    writeResult(res, result);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Payload format 2.0: a structured response, or any other value as a 200 JSON body. */
function writeResult(res: ServerResponse, result: unknown): void {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    const r = result as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
      isBase64Encoded?: boolean;
    };
    res.writeHead(r.statusCode, r.headers ?? {});
    res.end(r.body ? Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8') : undefined);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? null));
}
