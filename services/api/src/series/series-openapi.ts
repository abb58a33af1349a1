import { z } from 'zod';
import type { ZodOpenApiOperationObject } from 'zod-openapi';
import { appendItemsSchema, createSeriesSchema, updateSeriesSchema } from './series-spec';

/** The series routes with a body: the schema their handler validates with, and an example. */
export const SERIES_ROUTE_EXAMPLES = [
  {
    method: 'post',
    path: '/series',
    schema: createSeriesSchema,
    example: {
      name: 'Lighthouses of the world',
      template: { prompt: 'the lighthouse of {{prompt}}, drone shot at dusk', scenes: 3, resolution: '720p' },
      items: [{ prompt: 'Eckmühl' }, { prompt: 'Peggy’s Cove' }],
      schedule: { expression: 'cron(0 9 * * ? *)', timeZone: 'Europe/Paris' },
      dailyQuota: 3,
    },
  },
  {
    method: 'patch',
    path: '/series/{seriesId}',
    schema: updateSeriesSchema,
    example: { state: 'paused' },
  },
  {
    method: 'post',
    path: '/series/{seriesId}/items',
    schema: appendItemsSchema,
    example: { items: [{ prompt: 'Cordouan' }] },
  },
] as const;

const seriesIdParam = z.object({
  seriesId: z
    .string()
    .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    .meta({ description: 'the series id (ULID)' }),
});
const idempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .meta({ description: 'makes retries safe: same key and body, same series' }),
});

const body = (index: number) => {
  const route = SERIES_ROUTE_EXAMPLES[index];
  if (!route) throw new Error(`no series route example ${index}`);
  return {
    required: true,
    content: { 'application/json': { schema: route.schema, example: route.example } },
  };
};

/**
 * The series operations of the OpenAPI document; `problems` is the document's own helper (problem+json
 * answers per status code), passed in so both describe errors alike.
 */
export function seriesOperations(
  problems: (...codes: number[]) => Record<string, unknown>,
): Record<string, Record<string, ZodOpenApiOperationObject>> {
  const secured = { security: [{ bearer: [] }] };
  return {
    '/series': {
      post: {
        ...secured,
        operationId: 'createSeries',
        summary:
          'Create a series: a job template, items, a schedule (rate or cron, in a time zone), a daily quota',
        requestParams: { header: idempotencyHeader },
        requestBody: body(0),
        responses: { '201': { description: 'created' }, ...problems(400, 401, 413, 415, 422) },
      },
      get: {
        ...secured,
        operationId: 'listSeries',
        summary: "The caller's series with today's count against the quota, the next run and the state",
        responses: { '200': { description: 'the series' }, ...problems(401) },
      },
    },
    '/series/{seriesId}': {
      get: {
        ...secured,
        operationId: 'getSeries',
        summary:
          "One series: today's count against the quota (its time zone), the next run, its state and why",
        requestParams: { path: seriesIdParam },
        responses: { '200': { description: 'the series' }, ...problems(401, 404) },
      },
      patch: {
        ...secured,
        operationId: 'updateSeries',
        summary: 'Pause or resume, change the daily quota or the schedule',
        requestParams: { path: seriesIdParam },
        requestBody: body(1),
        responses: { '200': { description: 'updated' }, ...problems(400, 401, 404, 415) },
      },
      delete: {
        ...secured,
        operationId: 'deleteSeries',
        summary: 'Delete a series and its schedule (its jobs stay)',
        requestParams: { path: seriesIdParam },
        responses: { '204': { description: 'deleted' }, ...problems(401, 404) },
      },
    },
    '/series/{seriesId}/items': {
      post: {
        ...secured,
        operationId: 'appendSeriesItems',
        summary: "Append items; a series waiting for items starts again if today's quota allows",
        requestParams: { path: seriesIdParam },
        requestBody: body(2),
        responses: { '202': { description: 'appended' }, ...problems(400, 401, 404, 409, 415, 422) },
      },
    },
    '/series/{seriesId}/episodes': {
      get: {
        ...secured,
        operationId: 'listSeriesEpisodes',
        summary: 'Each item with its episode: job, status, failure, where published',
        requestParams: { path: seriesIdParam },
        responses: { '200': { description: 'the episodes' }, ...problems(401, 404) },
      },
    },
  };
}
