import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { HttpProblemError, type HttpResponse, problem } from './problem';

/** The `instance` of a 500: the Lambda request id, which every log line of the request carries too. */
export const requestInstance = (awsRequestId: string) => `urn:reelay:request:${awsRequestId}`;

/**
 * The one error handler that ends every HTTP function (and the one "request served" log line).
 * - An HttpProblemError is the client's problem: its status, title, detail and headers, logged at info.
 * - Anything else is ours: a problem+json 500 whose `instance` names the request id, logged with its
 *   stack. API Gateway's bare `{"message":"Internal Server Error"}` never reaches a client.
 * Hand-written rather than @middy/http-error-handler: that one answers text/plain with the error's
 * message and knows nothing of problem+json or request ids.
 *
 * Registered after withPowertools' middlewares, so middy runs its onError first, while the request's
 * log keys are still set; it sets the response without returning it, so the Powertools onError
 * middlewares (tracer, metrics flush, log key reset) still run.
 */
export function problemDetails<E>(logger: Logger): MiddlewareObj<E, HttpResponse, Error, Context> {
  const served = (request: Request<E, HttpResponse, Error, Context>) => {
    const routeKey = (request.event as { routeKey?: string } | undefined)?.routeKey;
    logger.info('request served', {
      ...(routeKey ? { routeKey } : {}),
      statusCode: request.response?.statusCode ?? 200,
    });
  };
  return {
    name: 'problemDetails',
    after: served,
    onError: (request) => {
      const error: unknown = request.error;
      if (error instanceof HttpProblemError) {
        logger.info('request refused', { status: error.status, title: error.title, detail: error.detail });
        request.response = error.toResponse();
      } else {
        if (error instanceof Error) logger.error('request failed unexpectedly', error);
        else logger.error('request failed unexpectedly', { error: String(error) });
        request.response = problem({
          status: 500,
          title: 'Internal error',
          detail: 'the request failed on our side; quote the instance when you report it',
          instance: requestInstance(request.context.awsRequestId),
        });
      }
      served(request);
    },
  };
}
