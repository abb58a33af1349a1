import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { type BuiltHandler, withPowertools } from '../handlers/with-powertools';
import type { Powertools } from '../powertools';
import { callerId } from './caller';
import { HttpProblemError, type HttpResponse } from './problem';
import { problemDetails } from './problem-details';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type PublicHttpEvent = APIGatewayProxyEventV2;
/** One route of an authenticated function: the verified caller and the request. */
export type Route = (userId: string, event: HttpEvent) => Promise<HttpResponse>;

/**
 * An authenticated HTTP function serving one or more route keys: 401 without verified JWT claims,
 * 404 for a route key it does not serve, then the route. Every log line of the request carries
 * userId and the path's jobId; every failure ends in problemDetails (problem+json, a 500 for the unexpected).
 */
export function httpHandler(
  powertools: Powertools,
  routes: Record<string, Route>,
): BuiltHandler<HttpEvent, HttpResponse> {
  return publicHttpHandler<HttpEvent>(powertools, async (event) => {
    const userId = callerId(event);
    if (!userId) {
      throw new HttpProblemError({
        status: 401,
        title: 'Unauthorized',
        detail: 'send a valid bearer token in the Authorization header',
      });
    }
    const jobId = event.pathParameters?.jobId;
    // One request per invocation: withPowertools' resetKeys clears these after it.
    powertools.logger.appendKeys({ userId, ...(jobId ? { jobId } : {}) });
    const route = routes[event.routeKey];
    if (!route) {
      throw new HttpProblemError({
        status: 404,
        title: 'No such route',
        detail: `${event.routeKey} is not served here`,
      });
    }
    return route(userId, event);
  });
}

/**
 * A public HTTP function (no JWT: the OpenAPI document, a webhook whose signature is its authentication),
 * built like every handler on withPowertools and ended by the same error handler.
 */
export function publicHttpHandler<E extends PublicHttpEvent = PublicHttpEvent>(
  powertools: Powertools,
  handle: (event: E, context: Context) => Promise<HttpResponse>,
): BuiltHandler<E, HttpResponse> {
  const built = withPowertools<E, HttpResponse>(powertools, handle);
  built.use(problemDetails<E>(powertools.logger));
  return built;
}
