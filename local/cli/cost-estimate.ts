import type { JobRecord } from '@reelay/job-records';

/**
 * A job rendered by the local model server (the twin of Replicate, provider `local`) is charged
 * what the same predictions would cost on Replicate: its cost is an estimate, not money spent.
 */
export const costIsEstimate = (record: Pick<JobRecord, 'scenes'>) =>
  record.scenes.some((s) => s.provider === 'local');

/** "$0.5723" or "$0.5723 (estimate: what Replicate would charge)". */
export function costLabel(record: Pick<JobRecord, 'scenes' | 'costUsd'>): string {
  const usd = `$${(record.costUsd ?? 0).toFixed(4)}`;
  return costIsEstimate(record) ? `${usd} (estimate: what Replicate would charge)` : usd;
}
