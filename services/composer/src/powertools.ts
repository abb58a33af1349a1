import { createPowertools } from '@reelay/lambda';

/** The composer's logger, metrics and tracer: every handler is built with them (libs/lambda/src/handlers). */
export const powertools = createPowertools('composer');
export const { logger, metrics, tracer } = powertools;
