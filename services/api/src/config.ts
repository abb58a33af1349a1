import { z } from 'zod';

/** Configuration pieces the api's functions read (each function validates only what it uses, once). */
export const apiTableConfig = { API_TABLE: z.string().min(1) };
export const busConfig = { EVENT_BUS_NAME: z.string().min(1) };
export const mediaConfig = { MEDIA_BUCKET: z.string().min(1) };
export const jobsTableConfig = { JOBS_TABLE: z.string().min(1) };
export const quotaConfig = {
  QUOTA_UNIT: z.enum(['jobs', 'scenes']).default('jobs'),
  QUOTA_PER_DAY: z.coerce.number().int().min(1).default(50),
};
export const callbackConfig = {
  /** Test-only: lets callbacks reach an http receiver on loopback. Never set by serverless.yml. */
  CALLBACK_TEST_ALLOW_LOOPBACK_HTTP: z.enum(['true', 'false']).default('false'),
};
/** The per-user limit of concurrent jobs (src/admission): more wait their turn as QUEUED. */
export const admissionConfig = {
  MAX_CONCURRENT_JOBS: z.coerce.number().int().min(1).default(10),
};
/** Series schedules (src/series): the bus and role each Scheduler schedule targets, and their names. */
export const seriesScheduleConfig = {
  EVENT_BUS_ARN: z.string().startsWith('arn:'),
  SERIES_SCHEDULER_ROLE_ARN: z.string().startsWith('arn:'),
  SERIES_SCHEDULE_PREFIX: z.string().min(1).max(36),
};
