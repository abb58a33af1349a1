import { createPowertools } from '@reelay/lambda';

/** The ledger's logger, metrics and tracer: every handler is built with them (libs/lambda/src/handlers). */
export const powertools = createPowertools('ledger');
export const { logger, metrics, tracer } = powertools;
