import { availableParallelism } from 'node:os';

/**
 * How many sandboxes a local function may run at once when its template reserves no concurrency.
 * Each sandbox costs about a CPU-second to start (it loads the handler and the AWS SDK), and the
 * local cloud shares the machine's cores with ffmpeg: past one sandbox per core, more sandboxes
 * only add cold starts that compete with the job for the same cores. So: one per core, at least 2
 * (so a burst still overlaps I/O with work) and at most 4 (the local cap before it depended on
 * the machine).
 */
export function defaultLocalConcurrency(cores: number = availableParallelism()): number {
  return Math.min(4, Math.max(2, Math.floor(cores)));
}
