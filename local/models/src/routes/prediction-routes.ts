import type { ServerResponse } from 'node:http';
import { sendJson, sendProblem } from '../http-io';
import { createPrediction } from './create-prediction';
import { type RouteContext, type RouteFamily, sendInjectedOutage } from './route-context';

const LIST_PAGE_SIZE = 100;

/** Create (by version or by official model), list, get and cancel predictions. */
export const predictionRoutes: RouteFamily = async ({ req, res, url, method }, context) => {
  const path = url.pathname;
  const byModel = /^\/v1\/models\/([\w.-]+)\/([\w.-]+)\/predictions$/.exec(path);
  const one = /^\/v1\/predictions\/([a-z0-9]+)$/.exec(path);
  const cancel = /^\/v1\/predictions\/([a-z0-9]+)\/cancel$/.exec(path);
  if (byModel && method === 'POST') await createPrediction(req, res, context, `${byModel[1]}/${byModel[2]}`);
  else if (path === '/v1/predictions' && method === 'POST') await createPrediction(req, res, context);
  else if (path === '/v1/predictions' && method === 'GET') listPredictions(url, res, context);
  else if (one && method === 'GET') getPrediction(one[1] ?? '', res, context);
  else if (cancel && method === 'POST') await cancelPrediction(cancel[1] ?? '', res, context);
  else return false;
  return true;
};

/** Newest first, a page at a time, with Replicate's opaque cursor URLs. */
function listPredictions(
  url: URL,
  res: ServerResponse,
  { predictions, apiBase, present }: RouteContext,
): void {
  const newestFirst = predictions.all().reverse();
  const offset = Math.max(
    0,
    Number.parseInt(Buffer.from(url.searchParams.get('cursor') ?? '', 'base64url').toString() || '0', 10) ||
      0,
  );
  const page = newestFirst.slice(offset, offset + LIST_PAGE_SIZE);
  const cursorUrl = (at: number): string =>
    `${apiBase()}/predictions?cursor=${Buffer.from(String(at)).toString('base64url')}`;
  sendJson(res, 200, {
    previous: offset > 0 ? cursorUrl(Math.max(0, offset - LIST_PAGE_SIZE)) : null,
    next: offset + LIST_PAGE_SIZE < newestFirst.length ? cursorUrl(offset + LIST_PAGE_SIZE) : null,
    results: page.map(present),
  });
}

/** A prediction by id; a server-error fault armed `on: 'get'` answers instead when it matches. */
function getPrediction(
  id: string,
  res: ServerResponse,
  { predictions, faults, present }: RouteContext,
): void {
  const prediction = predictions.get(id);
  const broken = prediction && faults.take('server-error', prediction, (fault) => fault.on === 'get');
  if (broken) sendInjectedOutage(res, broken.status);
  else if (!prediction) sendProblem(res, 404, 'Not found', 'The requested prediction could not be found.');
  else sendJson(res, 200, present(prediction));
}

async function cancelPrediction(
  id: string,
  res: ServerResponse,
  { predictions, present }: RouteContext,
): Promise<void> {
  const prediction = await predictions.cancel(id);
  if (!prediction) sendProblem(res, 404, 'Not found', 'The requested prediction could not be found.');
  else sendJson(res, 200, present(prediction));
}
