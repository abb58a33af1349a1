import type { JobSpec } from '@reelay/events';

/** The daily per-user quota: a number of jobs, or of scenes, per UTC day. */
export interface QuotaPolicy {
  unit: 'jobs' | 'scenes';
  perDay: number;
}

/** What one job costs against the quota. */
export function quotaUnits(spec: JobSpec, policy: QuotaPolicy): number {
  if (policy.unit === 'jobs') return 1;
  if (spec.recipe === 'story' || spec.recipe === 'merge') return Math.max(1, spec.uploads.length);
  if (spec.recipe === 'soundtrack') return 1;
  return spec.scenes;
}

export function quotaDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Seconds until the quota resets (the next UTC midnight): the Retry-After of a 429. */
export function secondsUntilQuotaReset(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}
