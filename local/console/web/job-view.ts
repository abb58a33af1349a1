import type { JobRecord } from '@reelay/job-records';
import type { ApiJobView } from './job-phase';
import { waterfallBars } from './waterfall-bars';

/**
 * A cost as shown; `estimate` for a job the local model server (the twin of Replicate) rendered:
 * its cost is what the same predictions would cost on Replicate, not money spent.
 */
export const costText = (usd: number | undefined, estimate = false) =>
  usd === undefined ? '' : `$${usd.toFixed(4)}${estimate ? ' (estimate)' : ''}`;

/** Whether a job's scenes were rendered by the local model server (provider `local`). */
export const costIsEstimate = (job: Pick<JobRecord, 'scenes'>) =>
  job.scenes.some((s) => s.provider === 'local');

/**
 * A chart of the job's stages and scenes scaled to the job's span, each row a label (with the
 * duration) beside its track, so no label is drawn over a bar.
 */
export function waterfall(job: ApiJobView, now = Date.now()): HTMLElement {
  const root = document.createElement('div');
  root.className = 'waterfall';
  const bars = waterfallBars(job);
  if (bars.length === 0) return root;
  const start = Math.min(...bars.map((b) => b.from));
  const finish = Math.max(...bars.map((b) => b.to ?? now));
  const span = Math.max(finish - start, 1);
  for (const b of bars) {
    const row = document.createElement('div');
    row.className = 'bar';
    row.dataset.stage = b.stage.replace(/ \d+\/\d+ ready$/, '');
    if (b.stopped) row.dataset.stopped = 'true';
    const label = document.createElement('em');
    const seconds = (((b.to ?? now) - b.from) / 1000).toFixed(2);
    label.textContent = `${b.stage} ${b.to === undefined ? `${seconds} s…` : `${seconds} s${b.stopped ? ' (stopped)' : ''}`}`;
    const track = document.createElement('div');
    track.className = 'track';
    const fill = document.createElement('span');
    fill.style.left = `${((b.from - start) / span) * 100}%`;
    fill.style.width = `${Math.max((((b.to ?? now) - b.from) / span) * 100, 0.5)}%`;
    if (b.to === undefined) fill.className = 'running';
    track.append(fill);
    if (b.done !== undefined) {
      const progress = document.createElement('progress');
      progress.max = 1;
      progress.value = b.done;
      progress.setAttribute('aria-label', b.stage);
      track.replaceChildren(progress);
    }
    row.append(label, track);
    root.append(row);
  }
  if (job.durations.totalSec !== undefined) {
    const total = document.createElement('p');
    total.textContent = `total ${job.durations.totalSec.toFixed(2)} s`;
    root.append(total);
  }
  return root;
}
