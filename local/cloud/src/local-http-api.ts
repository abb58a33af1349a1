import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { CorsSpec, RouteSpec } from './deploy/deploy-stack';
import { DevIssuer } from './dev-issuer';

type Invoke = (functionArn: string, event: unknown) => Promise<unknown>;

interface CompiledRoute extends RouteSpec {
  method: string;
  pattern: RegExp;
  paramNames: string[];
}

const AUTH_PATH = '/.local-auth';
/** API Gateway's request payload quota (10 MB, not adjustable). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A request API Gateway answers itself, before any integration runs: its status and its JSON body. */
class GatewayAnswer extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * API Gateway HTTP API (payload format 2.0) on 127.0.0.1: matches the routes of the packaged
 * templates, verifies the JWT as the authorizer would (against the local dev issuer), and invokes
 * the route's function with the same event shape as in AWS. As API Gateway does, it answers these
 * itself, before reading a body or invoking anything: a path with a malformed %-escape (400), an unknown
 * route (404), a missing or bad token (401, the body never read), a body over 10 MB (413, refused from
 * Content-Length or counted while reading, never buffered beyond the limit), and CORS preflights
 * (OPTIONS) from the template's CorsConfiguration.
 */
export class LocalHttpApi {
  private readonly routes: CompiledRoute[] = [];
  private server?: Server;
  private verifier?: ReturnType<typeof JwtRsaVerifier.create>;
  private cors?: CorsSpec;
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

  /** The HTTP API's CorsConfiguration; without one, OPTIONS is routed like any other method. */
  setCors(cors: CorsSpec): void {
    this.cors = cors;
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
    try {
      await this.route(req, res);
    } catch (error) {
      if (!(error instanceof GatewayAnswer)) throw error;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (error.status === 401) headers['www-authenticate'] = 'Bearer';
      res.writeHead(error.status, { ...headers, ...this.corsHeaders(req) });
      res.end(JSON.stringify({ message: error.message }));
      if (!req.complete) discardRest(req);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    let pathname: string;
    try {
      url = new URL(req.url ?? '/', this.url);
      // A path must decode (API Gateway refuses a malformed %-escape such as /jobs/%ZZ with a 400).
      pathname = url.pathname;
      decodeURIComponent(pathname);
    } catch {
      throw new GatewayAnswer(400, 'Bad Request');
    }
    if (pathname === `${AUTH_PATH}/.well-known/jwks.json`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.issuer?.jwks()));
      return;
    }
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS' && this.cors) {
      // API Gateway answers every preflight itself when CORS is configured, with or without a route.
      req.resume();
      res.writeHead(204, this.preflightHeaders(req)).end();
      return;
    }
    let matched: { route: CompiledRoute; params: Record<string, string> } | undefined;
    for (const route of this.routes) {
      const m = pathname.match(route.pattern);
      if (!m) continue;
      if (route.method !== method && route.method !== 'ANY') continue;
      matched = {
        route,
        params: Object.fromEntries(route.paramNames.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')])),
      };
      break;
    }
    if (!matched) throw new GatewayAnswer(404, 'Not Found');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) throw new GatewayAnswer(413, 'Request Entity Too Large');
    let claims: Record<string, unknown> | undefined;
    if (matched.route.jwt) {
      const token = String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      try {
        claims = (await this.verifier?.verify(token)) as Record<string, unknown> | undefined;
      } catch {
        throw new GatewayAnswer(401, 'Unauthorized');
      }
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    const event = {
      version: '2.0',
      routeKey: matched.route.routeKey,
      rawPath: pathname,
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
          path: pathname,
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
    writeResult(res, result, this.corsHeaders(req));
  }

  /** The Origin a CORS request came from, when the configuration allows it. */
  private allowedOrigin(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    const allowed = this.cors?.AllowOrigins ?? [];
    if (!origin || allowed.length === 0) return undefined;
    if (allowed.includes('*')) return this.cors?.AllowCredentials ? origin : '*';
    return allowed.some((a) => a.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
  }

  /** What API Gateway adds to a CORS (non-preflight) response from an allowed origin. */
  private corsHeaders(req: IncomingMessage): Record<string, string> {
    const origin = this.allowedOrigin(req);
    if (!origin) return {};
    return {
      'access-control-allow-origin': origin,
      ...(this.cors?.AllowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
      ...(this.cors?.ExposeHeaders?.length
        ? { 'access-control-expose-headers': this.cors.ExposeHeaders.join(',') }
        : {}),
    };
  }

  /**
   * A preflight's answer: the allow headers only when the origin, the requested method and every
   * requested header are allowed (header names compared case-insensitively); otherwise a bare 204, which
   * a browser treats as a refusal.
   */
  private preflightHeaders(req: IncomingMessage): Record<string, string> {
    const cors = this.cors ?? {};
    const origin = this.allowedOrigin(req);
    const method = String(req.headers['access-control-request-method'] ?? '').toUpperCase();
    const methods = (cors.AllowMethods ?? []).map((m) => m.toUpperCase());
    const headers = (cors.AllowHeaders ?? []).map((h) => h.toLowerCase());
    const requested = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    const methodOk = methods.includes('*') || methods.includes(method);
    const headersOk = headers.includes('*') || requested.every((h) => headers.includes(h));
    if (!origin || !method || !methodOk || !headersOk) return {};
    return {
      ...this.corsHeaders(req),
      'access-control-allow-methods': methods.join(','),
      'access-control-allow-headers': headers.join(','),
      ...(cors.MaxAge !== undefined ? { 'access-control-max-age': String(cors.MaxAge) } : {}),
    };
  }
}

/**
 * After an early answer, the rest of the body is read and dropped (never kept), and the connection is
 * cut only past the body limit: closing a socket with unread data resets it, and a reset can reach the
 * client before the answer it was sent (its receive queue is dropped).
 */
function discardRest(req: IncomingMessage): void {
  let dropped = 0;
  req.on('data', (c: Buffer) => {
    dropped += c.length;
    // A body that ends here leaves a clean connection (a keep-alive client reuses it); one still coming
    // past the limit is cut.
    if (dropped > MAX_BODY_BYTES) setImmediate(() => req.complete || req.socket.destroy());
  });
  req.resume();
}

/** Reads a body, refusing it (413) as soon as it passes the limit, so nothing larger is ever buffered. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.pause();
        reject(new GatewayAnswer(413, 'Request Entity Too Large'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Payload format 2.0: a structured response, or any other value as a 200 JSON body. */
function writeResult(res: ServerResponse, result: unknown, cors: Record<string, string>): void {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    const r = result as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
      isBase64Encoded?: boolean;
    };
    // With CORS configured, API Gateway's CORS headers replace any the integration returns.
    res.writeHead(r.statusCode, { ...(r.headers ?? {}), ...cors });
    res.end(r.body ? Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8') : undefined);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', ...cors }).end(JSON.stringify(result ?? null));
}
