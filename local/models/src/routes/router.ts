import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendProblem } from '../http-io';
import { serveOutputFile } from '../output-files';
import { accountRoutes } from './account-routes';
import { fileRoutes } from './file-routes';
import { modelRoutes } from './model-routes';
import { predictionRoutes } from './prediction-routes';
import { type RouteContext, type RouteFamily, sendNotFound } from './route-context';

/** Tokens are compared by their SHA-256 digests, so the comparison takes the same time whatever their lengths. */
const tokenDigest = (token: string): Buffer => createHash('sha256').update(token).digest();

/** The /v1 API's route families, asked in turn; the first that knows the request answers it. */
const API_ROUTES: readonly RouteFamily[] = [fileRoutes, predictionRoutes, modelRoutes, accountRoutes];

/**
 * Routes one request: output files are public (their URLs are unguessable and expire, as Replicate's
 * delivery URLs); everything under /v1 needs the API token (401 otherwise); anything else is a 404.
 */
export function modelServerRouter(
  context: RouteContext,
  apiToken: string,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const expectedDigest = tokenDigest(apiToken);
  const authorized = (req: IncomingMessage): boolean => {
    const match = /^(?:Bearer|Token)\s+(\S+)$/.exec(req.headers.authorization ?? '');
    return match?.[1] !== undefined && timingSafeEqual(tokenDigest(match[1]), expectedDigest);
  };
  return async (req, res) => {
    const url = new URL(req.url ?? '/', context.origin());
    const method = req.method ?? 'GET';
    const outputFile = /^\/files\/([a-z0-9]{1,64})\/([\w.-]{1,64})$/.exec(url.pathname);
    if (outputFile && (method === 'GET' || method === 'HEAD')) {
      const prediction = context.predictions.get(outputFile[1] ?? '');
      await context.predictions.removeExpiredOutputs();
      const expired = prediction?.isExpired(context.clock(), context.outputTtlMs) ?? true;
      serveOutputFile(req, res, prediction, outputFile[2] ?? '', expired);
      return;
    }
    if (!url.pathname.startsWith('/v1/')) return sendNotFound(res);
    if (!authorized(req)) {
      sendProblem(res, 401, 'Unauthenticated', 'You did not pass a valid authentication token', {
        headers: { 'www-authenticate': 'Bearer' },
      });
      return;
    }
    for (const routes of API_ROUTES) if (await routes({ req, res, url, method }, context)) return;
    sendNotFound(res);
  };
}
