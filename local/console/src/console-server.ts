import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_SPEECH_MODEL_IDS, findModelContract, speechLanguages } from '@reelay/replicate-models';
import { build } from 'esbuild';
import { DevIssuer } from '../../cloud/src/dev-issuer';
import type { EmbeddedCloud } from '../../cloud/src/embedded-cloud';
import { operatorAuthorizer, refuseForeignRequest } from './console-guard';
import { operatorRoutes } from './operator-routes';

export interface ConsoleServer {
  url: string;
  close(): Promise<void>;
}

const WEB_DIR = join(__dirname, '..', 'web');

/**
 * The languages the default narration models speak (from their recorded contracts, as the api checks a
 * job's `language`): the form offers them. Read here, not in the page, so the contracts' schemas stay
 * out of the bundle.
 */
const NARRATION_LANGUAGES = [
  ...new Set(
    DEFAULT_SPEECH_MODEL_IDS.flatMap((id) => {
      const contract = findModelContract(id);
      return contract ? speechLanguages(contract) : [];
    }),
  ),
].sort();

/**
 * The local console: serves the page and its bundle, and proxies /api/* to the local HTTP API and /s3/*
 * to the local S3, so the page is same-origin with everything it reads (the <track> of captions needs
 * that) and no CORS setup is needed. /ops/* are the operator routes; they exist only in this local
 * runner, never in the cloud build. Only the console's own origin may use any of it (console-guard.ts):
 * another Host (DNS rebinding) or a cross-site request is refused before anything runs, and /ops/*
 * want the API's bearer token with the operator role, which /config.json hands to the page.
 */
export async function startConsoleServer(
  cloud: EmbeddedCloud,
  opts: { userId?: string; port?: number } = {},
): Promise<ConsoleServer> {
  const bundle = await build({
    entryPoints: [join(WEB_DIR, 'app.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    platform: 'browser',
  });
  const appJs = bundle.outputFiles[0]?.text ?? '';
  const { readFile } = await import('node:fs/promises');
  const indexHtml = await readFile(join(WEB_DIR, 'index.html'), 'utf8');
  const userId = opts.userId ?? 'local-user';
  const ops = operatorRoutes(cloud);
  if (!cloud.api.issuer) throw new Error('the local HTTP API is not listening');
  const issuer: DevIssuer = cloud.api.issuer;
  const authorizeOperator = operatorAuthorizer(issuer);
  let port = 0;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: `local console: ${error.message}` }));
    });
  });
  const refuse = (res: ServerResponse, refusal: { status: number; detail: string }) => {
    res.writeHead(refusal.status, { 'content-type': 'application/json' }).end(JSON.stringify(refusal));
  };
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const foreign = refuseForeignRequest(req, port);
    if (foreign) {
      req.resume();
      return refuse(res, foreign);
    }
    const path = new URL(req.url ?? '/', 'http://console').pathname;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(indexHtml);
    } else if (path === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(appJs);
    } else if (path === '/config.json') {
      // A dev token for the console's own user, an operator here (the console is the operator's own
      // tool): only this loopback runner hands one out, and only to its own origin (checked above).
      const token = issuer.token(userId, undefined, [DevIssuer.OPERATOR_GROUP]);
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(
          JSON.stringify({ token, userId, s3: cloud.endpoints.s3, narrationLanguages: NARRATION_LANGUAGES }),
        );
    } else if (path.startsWith('/api/')) {
      proxy(req, res, cloud.endpoints.api, '/api');
    } else if (path.startsWith('/s3/')) {
      proxy(req, res, cloud.endpoints.s3, '/s3');
    } else if (path.startsWith('/ops/')) {
      const denied = await authorizeOperator(req);
      if (denied) {
        req.resume();
        return refuse(res, denied);
      }
      await ops(req, res, path);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  }
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Forwards a request unchanged but for the path prefix; the Host header is the target's, as presigned
 * S3 links are signed for that host (s3rver does not check it, S3 would). Hand-written: a dozen lines of
 * node:http, no proxy library is installed.
 */
function proxy(req: IncomingMessage, res: ServerResponse, target: string, prefix: string): void {
  const to = new URL(target);
  const upstream = request(
    {
      host: to.hostname,
      port: to.port,
      method: req.method,
      path: (req.url ?? '/').slice(prefix.length) || '/',
      headers: { ...req.headers, host: to.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ detail: `local console proxy: ${error.message}` }));
  });
  req.pipe(upstream);
}
