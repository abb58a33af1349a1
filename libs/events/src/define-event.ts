import type { z } from 'zod';

export const EVENT_VERSION = 1 as const;

export const SOURCES = {
  api: 'reelay.api',
  generator: 'reelay.generator',
  composer: 'reelay.composer',
  ledger: 'reelay.ledger',
} as const;
export type EventSource = (typeof SOURCES)[keyof typeof SOURCES];

/** One event contract: the only place its shape is defined. */
export interface EventDefinition<Name extends string, Schema extends z.ZodType> {
  readonly detailType: Name;
  readonly schema: Schema;
  /** Services allowed to publish it (JobFailed has several). */
  readonly sources: readonly EventSource[];
}

export function defineEvent<Name extends string, Schema extends z.ZodType>(
  detailType: Name,
  schema: Schema,
  sources: readonly EventSource[],
): EventDefinition<Name, Schema> {
  return { detailType, schema, sources };
}
