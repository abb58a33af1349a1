import { createPowertools } from '@reelay/lambda';

export const { logger, metrics, tracer } = createPowertools('api');
