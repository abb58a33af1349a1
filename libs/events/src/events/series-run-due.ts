import { ulid } from 'ulid';
import { z } from 'zod';
import { ulidSchema } from '../common';
import { defineEvent, EVENT_VERSION, SOURCES } from '../define-event';

export const SERIES_RUN_DUE = 'SeriesRunDue' as const;

/**
 * A series' schedule fell due: EventBridge Scheduler puts it on the bus on the api's behalf (the
 * schedule's target, created by the api; source reelay.api). `scheduledTime` is the Scheduler's
 * `<aws.scheduler.scheduled-time>`: the series counts the run in that instant's day in its own time
 * zone, never in the day the event happens to be handled (a replay or a late delivery counts right).
 */
export const seriesRunDueSchema = z.strictObject({
  version: z.literal(EVENT_VERSION),
  seriesId: ulidSchema,
  userId: z.string().min(1).max(128),
  scheduledTime: z.iso.datetime(),
});
export type SeriesRunDue = z.infer<typeof seriesRunDueSchema>;

export const seriesRunDue = defineEvent(SERIES_RUN_DUE, seriesRunDueSchema, [SOURCES.api]);

/** Test factory: a valid SeriesRunDue, overridable field by field. */
export function makeSeriesRunDue(overrides: Partial<SeriesRunDue> = {}): SeriesRunDue {
  return seriesRunDueSchema.parse({
    version: EVENT_VERSION,
    seriesId: ulid(),
    userId: 'user-test',
    scheduledTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...overrides,
  });
}
