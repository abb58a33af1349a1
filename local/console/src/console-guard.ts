import type { IncomingMessage } from 'node:http';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { DevIssuer } from '../../cloud/src/dev-issuer';

/** Why the console refuses a request: the status and the reason it answers with. */
export interface Refusal {
  status: 401 | 403;
  detail: string;
}

/**
 * The console is a local app that only its own origin may use. A loopback listener is not enough:
 *
 * - DNS rebinding: a page on evil.example re-points its name at 127.0.0.1 and becomes "same-origin" with
 *   the console, but its requests carry `Host: evil.example:<port>`. Only the console's own
 *   127.0.0.1:<port> / localhost:<port> is answered.
 * - Cross-site requests: any page can send a "simple" POST (text/plain, no preflight) to a loopback
 *   port. A request whose Origin is not the console's, or that the browser marks as cross-site or
 *   same-site (Sec-Fetch-Site), is refused before anything runs. Tools without a browser (curl) send
 *   neither header and are not a cross-site threat; /ops still wants their operator token.
 */
export function refuseForeignRequest(req: IncomingMessage, port: number): Refusal | undefined {
  const own = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const host = String(req.headers.host ?? '').toLowerCase();
  if (!own.has(host)) return { status: 403, detail: `this console answers only on 127.0.0.1:${port}` };
  const origin = req.headers.origin;
  if (origin !== undefined && !own.has(originHost(origin)))
    return { status: 403, detail: 'cross-origin requests are refused' };
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return { status: 403, detail: 'cross-site requests are refused' };
  return undefined;
}

function originHost(origin: string): string {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' ? url.host.toLowerCase() : '';
  } catch {
    return '';
  }
}

/**
 * The operator routes' check: the same bearer token as the API (the dev issuer's, verified as the API's
 * authorizer verifies it), carrying the operator group. A user token without it is a 403.
 */
export function operatorAuthorizer(issuer: DevIssuer) {
  const verifier = JwtRsaVerifier.create({
    issuer: issuer.issuer,
    audience: DevIssuer.AUDIENCE,
    jwksUri: 'http://127.0.0.1:9/unused-jwks.json',
  });
  verifier.cacheJwks(issuer.jwks() as never, issuer.issuer);
  return async (req: IncomingMessage): Promise<Refusal | undefined> => {
    const header = String(req.headers.authorization ?? '');
    if (!/^Bearer\s+\S+$/i.test(header))
      return { status: 401, detail: 'an operator bearer token is required' };
    let claims: Record<string, unknown>;
    try {
      claims = (await verifier.verify(header.replace(/^Bearer\s+/i, ''))) as Record<string, unknown>;
    } catch {
      return { status: 401, detail: 'the bearer token is not valid' };
    }
    const groups = claims['cognito:groups'];
    if (!Array.isArray(groups) || !groups.includes(DevIssuer.OPERATOR_GROUP))
      return { status: 403, detail: 'the operator routes need the operator role' };
    return undefined;
  };
}
