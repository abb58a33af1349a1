import { createPowertools } from '@reelay/lambda';

/** The api's logger, metrics and tracer: every handler is built with them (libs/lambda/src/handlers). */
export const powertools = createPowertools('api');
export const { logger, metrics, tracer } = powertools;
