import type { JobRecord } from '@reelay/job-records';

/**
 * A cost as shown; `estimate` for a job the local model server (the twin of Replicate) rendered:
 * its cost is what the same predictions would cost on Replicate, not money spent.
 */
export const costText = (usd: number | undefined, estimate = false) =>
  usd === undefined ? '' : `$${usd.toFixed(4)}${estimate ? ' (estimate)' : ''}`;

/** Whether a job's scenes were rendered by the local model server (provider `local`). */
export const costIsEstimate = (job: Pick<JobRecord, 'scenes'>) =>
  job.scenes.some((s) => s.provider === 'local');

/** The stages of a job, from its timeline: each starts at one event and ends at the next stage's. */
const STAGES: Array<{ label: string; from: string; to: string[] }> = [
  { label: 'queued → planned', from: 'JobRequested', to: ['ScenePlanned'] },
  { label: 'rendering scenes', from: 'ScenePlanned', to: ['SceneReady'] },
  { label: 'composing', from: 'SceneReady', to: ['VideoComposed', 'JobFailed'] },
];

/**
 * A waterfall of the job's stages and of each scene (planned → ready), scaled to the job's span,
 * with each bar's duration in seconds.
 */
export function waterfall(job: Pick<JobRecord, 'timeline' | 'durations'>): HTMLElement {
  const root = document.createElement('div');
  root.className = 'waterfall';
  const times = job.timeline.map((t) => Date.parse(t.occurredAt)).filter((t) => Number.isFinite(t));
  if (times.length === 0) return root;
  const start = Math.min(...times);
  const span = Math.max(Math.max(...times) - start, 1);
  const first = (types: string[], pick: 'min' | 'max', sceneIndex?: number) => {
    const hits = job.timeline
      .filter(
        (t) => types.includes(t.detailType) && (sceneIndex === undefined || t.sceneIndex === sceneIndex),
      )
      .map((t) => Date.parse(t.occurredAt));
    if (!hits.length) return undefined;
    return pick === 'min' ? Math.min(...hits) : Math.max(...hits);
  };
  const bar = (label: string, from?: number, to?: number) => {
    if (from === undefined) return;
    const end = to ?? from;
    const row = document.createElement('div');
    row.className = 'bar';
    row.dataset.stage = label;
    const fill = document.createElement('span');
    fill.style.left = `${((from - start) / span) * 100}%`;
    fill.style.width = `${Math.max(((end - from) / span) * 100, 0.5)}%`;
    const text = document.createElement('em');
    text.textContent = `${label} ${to === undefined ? '…' : `${((end - from) / 1000).toFixed(2)} s`}`;
    row.append(fill, text);
    root.append(row);
  };
  for (const stage of STAGES) {
    const from = first([stage.from], 'min');
    const to = first(stage.to, stage.label === 'queued → planned' ? 'min' : 'max');
    bar(stage.label, from, to !== undefined && from !== undefined && to >= from ? to : undefined);
  }
  const scenes = new Set(job.timeline.map((t) => t.sceneIndex).filter((i): i is number => i !== undefined));
  for (const i of [...scenes].sort((a, b) => a - b))
    bar(`scene ${i + 1}`, first(['ScenePlanned'], 'min', i), first(['SceneReady'], 'max', i));
  if (job.durations.totalSec !== undefined) {
    const total = document.createElement('p');
    total.textContent = `total ${job.durations.totalSec.toFixed(2)} s`;
    root.append(total);
  }
  return root;
}
