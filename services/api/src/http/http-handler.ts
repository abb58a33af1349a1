import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { JobCreationContendedError } from '../jobs/create-job';
import { logger } from '../powertools';
import { callerId } from './caller';
import { problem } from './problem';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type Route = (userId: string, event: HttpEvent) => Promise<APIGatewayProxyResultV2>;

/**
 * A route handler for the authenticated caller: 401 without verified claims, the route by its key
 * (404 for a key this function does not serve), and 503 with Retry-After for contention that a retry fixes.
 */
export function httpHandler(routes: Record<string, Route>) {
  return async (event: HttpEvent): Promise<APIGatewayProxyResultV2> => {
    const userId = callerId(event);
    if (!userId)
      return problem({
        status: 401,
        title: 'Unauthorized',
        detail: 'send a valid bearer token in the Authorization header',
      });
    const route = routes[event.routeKey];
    if (!route)
      return problem({ status: 404, title: 'No such route', detail: `${event.routeKey} is not served here` });
    logger.appendKeys({
      userId,
      ...(event.pathParameters?.jobId ? { jobId: event.pathParameters.jobId } : {}),
    });
    try {
      const response = await route(userId, event);
      logger.info('request served', {
        routeKey: event.routeKey,
        statusCode: typeof response === 'object' ? response.statusCode : 200,
      });
      return response;
    } catch (error) {
      if (error instanceof JobCreationContendedError) {
        return problem(
          {
            status: 503,
            title: 'Busy, try again',
            detail: 'too many concurrent submissions for this user; retry with the same Idempotency-Key',
          },
          { 'retry-after': '1' },
        );
      }
      throw error;
    } finally {
      logger.removeKeys(['userId', 'jobId']);
    }
  };
}
