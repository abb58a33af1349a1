import type { Logger } from '@aws-lambda-powertools/logger';

/** What domain code logs through: the levels of a Powertools Logger. */
export type RecordLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** The keys that say which job a log line is about. */
export interface JobKeys {
  jobId?: string;
  correlationId?: string;
  sceneIndex?: number;
}

/**
 * A logger whose every line carries `keys` on top of the invocation's context (request id, cold
 * start). Records of one batch run in parallel, so the keys cannot be appended to the shared logger.
 * Hand-written instead of Powertools' `logger.createChild()`: in 2.35 a child logger computes its own
 * cold start, so every child of a warm sandbox would still log `cold_start: true`.
 */
export function loggerWithKeys(logger: Logger, keys: JobKeys): RecordLogger {
  const at =
    (level: keyof RecordLogger) =>
    (...args: Parameters<Logger['info']>): void => {
      const [message, ...extra] = args;
      // Read at each line: keys learnt while the record is handled (RecordWork.identify) show from then on.
      const present = Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined));
      (logger[level] as (...a: unknown[]) => void).call(logger, message, present, ...extra);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
