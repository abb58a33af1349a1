import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export interface Powertools {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

/** Logger, metrics and tracer of one service; each service's powertools.ts calls this once. */
export function createPowertools(serviceName: string): Powertools {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Reelay' }),
    tracer: new Tracer({ serviceName }),
  };
}
