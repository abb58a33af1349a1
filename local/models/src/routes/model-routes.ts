import { findModel, type LocalModel, MODELS } from '../catalog';
import { CONTRACT_MODELS } from '../contract-models';
import { sendJson } from '../http-io';
import type { RouteContext, RouteFamily } from './route-context';
import { sendNotFound } from './route-context';

/** GET /v1/models, a model, its versions and one version. */
export const modelRoutes: RouteFamily = async ({ res, url, method }, context) => {
  if (method !== 'GET') return false;
  if (url.pathname === '/v1/models') {
    sendJson(res, 200, { previous: null, next: null, results: MODELS.map((m) => presentModel(m, context)) });
    return true;
  }
  const modelOrVersion = /^\/v1\/models\/([\w.-]+)\/([\w.-]+)(\/versions(?:\/([0-9a-f]+))?)?$/.exec(
    url.pathname,
  );
  if (!modelOrVersion) return false;
  const [, owner, name, versions, versionId] = modelOrVersion;
  const model = findModel(`${owner}/${name}`);
  // Official models list no versions on Replicate (GET .../versions is a 404); their
  // latest_version is on the model.
  const versionless = model?.official === true && CONTRACT_MODELS.includes(model);
  if (
    !model ||
    (versions !== undefined && versionless) ||
    (versionId !== undefined && versionId !== model.version)
  )
    sendNotFound(res, 'The requested model or version could not be found.');
  else if (versionId !== undefined) sendJson(res, 200, presentVersion(model));
  else if (versions !== undefined)
    sendJson(res, 200, { previous: null, next: null, results: [presentVersion(model)] });
  else sendJson(res, 200, presentModel(model, context));
  return true;
};

function presentModel(model: LocalModel, { origin, predictions }: RouteContext): Record<string, unknown> {
  return {
    url: `${origin()}/${model.id}`,
    owner: model.owner,
    name: model.name,
    description: model.description,
    visibility: 'public',
    is_official: model.official,
    run_count: predictions.all().filter((p) => p.model === model.id).length,
    latest_version: presentVersion(model),
  };
}

function presentVersion(model: LocalModel): Record<string, unknown> {
  return {
    id: model.version,
    created_at: '2026-01-01T00:00:00.000Z',
    cog_version: '0.9.0',
    openapi_schema: model.openApiSchema,
  };
}
