import { SOURCES } from '@reelay/events';
import { deadLetterHandler } from '@reelay/lambda';
import { powertools } from '../../powertools';

/** Drains every DLQ of the generator into JobFailed (libs/lambda/src/dead-letters). */
export const handler = deadLetterHandler({ source: SOURCES.generator, powertools });
