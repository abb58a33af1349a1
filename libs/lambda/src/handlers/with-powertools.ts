import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Powertools } from '../powertools';
import { BUILT_BY_REELAY } from './handler-brand';

export { BUILT_BY_REELAY, isBuiltByReelay } from './handler-brand';

export type Handler<E, R> = (event: E, context: Context) => Promise<R>;
export type BuiltHandler<E, R> = MiddyfiedHandler<E, R, Error, Context> & { [BUILT_BY_REELAY]: true };

/**
 * The one base of every Reelay handler: middy with Powertools' own middlewares.
 * - injectLambdaContext: every log line carries the request id, cold start and function name;
 *   keys appended during an invocation are cleared after it (resetKeys).
 * - logMetrics: metrics added anywhere during the invocation are published once at its end, with
 *   the ColdStart metric; an invocation that added none publishes nothing (no empty-metrics warning).
 * - captureLambdaHandler: one X-Ray subsegment per invocation (a no-op where tracing is disabled,
 *   as on the embedded cloud).
 * The kinds of handler (HTTP, event consumers, Step Functions tasks, schedules) are built on top.
 */
export function withPowertools<E, R>(powertools: Powertools, handle: Handler<E, R>): BuiltHandler<E, R> {
  const { logger, metrics, tracer } = powertools;
  const built = middy<E, R, Error, Context>(handle)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true, throwOnEmptyMetrics: false }));
  return Object.assign(built, { [BUILT_BY_REELAY]: true as const });
}
