import { ulidSchema } from '@reelay/events';
import { z } from 'zod';

/** How many items one request may send, and one series may hold. */
export const SERIES_LIMITS = { itemsPerRequest: 100, itemsPerSeries: 1000, dailyQuota: 100 } as const;

/**
 * One item of a series: what fills the job template's `{{placeholders}}` for one episode: a prompt,
 * an upload set (one set of pages per episode, with its script), and named values (`{{title}}`).
 */
export const seriesItemSchema = z
  .strictObject({
    prompt: z.string().trim().min(1).max(2000).optional(),
    uploads: z.array(ulidSchema).min(1).max(300).optional(),
    script: z.array(z.string().max(1000)).max(300).optional(),
    values: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/), z.string().max(2000)).optional(),
  })
  .refine((item) => Object.keys(item).length > 0, { message: 'an item needs a prompt, uploads or values' });
export type SeriesItem = z.infer<typeof seriesItemSchema>;

/** IANA zone names this runtime knows (EventBridge Scheduler takes the same database's names). */
const timeZoneSchema = z
  .string()
  .refine(
    (zone) => zone === 'UTC' || Intl.supportedValuesOf('timeZone').includes(zone),
    'must be an IANA time zone such as Europe/Paris or UTC',
  );

export const seriesScheduleSchema = z.strictObject({
  /** EventBridge Scheduler's rate(...) or cron(...) (six fields, AWS's syntax). */
  expression: z
    .string()
    .trim()
    .regex(
      /^(rate|cron)\(.+\)$/,
      'must be rate(value unit) or cron(minutes hours day-of-month month day-of-week year)',
    ),
  timeZone: timeZoneSchema.default('UTC'),
});

/** POST /series. */
export const createSeriesSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  /** Any recipe's job spec (the body of POST /jobs), with `{{placeholders}}` filled from each item. */
  template: z.record(z.string(), z.unknown()),
  items: z.array(seriesItemSchema).max(SERIES_LIMITS.itemsPerRequest).default([]),
  schedule: seriesScheduleSchema,
  dailyQuota: z.number().int().min(1).max(SERIES_LIMITS.dailyQuota),
  /** Where each episode is published: the job spec's `publish` destinations. */
  destinations: z.array(z.record(z.string(), z.unknown())).max(5).default([]),
  callbackUrl: z.url().optional(),
});
export type CreateSeriesRequest = z.infer<typeof createSeriesSchema>;

/** PATCH /series/{id}: pause or resume, change the quota or the schedule. */
export const updateSeriesSchema = z
  .strictObject({
    state: z.enum(['active', 'paused']).optional(),
    dailyQuota: z.number().int().min(1).max(SERIES_LIMITS.dailyQuota).optional(),
    schedule: seriesScheduleSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'send state, dailyQuota or schedule' });

/** POST /series/{id}/items. */
export const appendItemsSchema = z.strictObject({
  items: z.array(seriesItemSchema).min(1).max(SERIES_LIMITS.itemsPerRequest),
});
