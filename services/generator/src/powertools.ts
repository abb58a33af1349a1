import { createPowertools } from '@reelay/lambda';

/** The generator's logger, metrics and tracer: every handler is built with them (libs/lambda/src/handlers). */
export const powertools = createPowertools('generator');
export const { logger, metrics, tracer } = powertools;
