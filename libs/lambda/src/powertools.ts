import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { traceAwsClients } from './aws-clients';

export interface Powertools {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

/**
 * Logger, metrics and tracer of one service; each service's powertools.ts calls this once. The SDK
 * clients of libs/lambda are captured by this tracer.
 */
export function createPowertools(serviceName: string): Powertools {
  const logger = new Logger({ serviceName });
  const tracer = new Tracer({ serviceName });
  traceAwsClients(tracer);
  return {
    logger,
    metrics: new Metrics({
      serviceName,
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Reelay',
      logger: metricsDiagnostics(logger),
    }),
    tracer,
  };
}

/** The warning Metrics writes at the end of every invocation that added no metric. */
const NO_METRICS_WARNING = 'No application metrics to publish';

/**
 * Where Metrics writes its own warnings (Powertools' `logger` option, added for exactly this: see
 * powertools-lambda-typescript#2036). They go to the service's logger, structured, except the one
 * about an invocation without metrics: most invocations add none (a duplicate, a poll), and that is
 * not a problem worth a line each time.
 */
function metricsDiagnostics(logger: Logger) {
  return {
    trace: (...content: unknown[]) => logger.debug(String(content[0]), ...extra(content)),
    debug: (...content: unknown[]) => logger.debug(String(content[0]), ...extra(content)),
    info: (...content: unknown[]) => logger.info(String(content[0]), ...extra(content)),
    warn: (...content: unknown[]) => {
      if (typeof content[0] === 'string' && content[0].startsWith(NO_METRICS_WARNING)) return;
      logger.warn(String(content[0]), ...extra(content));
    },
    error: (...content: unknown[]) => logger.error(String(content[0]), ...extra(content)),
  };
}

const extra = (content: unknown[]) => content.slice(1).map((detail) => ({ detail }));
