import type { JobRecord } from '@reelay/job-records';
import { costLabel } from './cost-estimate';
import { WAITING_FOR_SLOT } from './job-progress';

/** A page of GET /jobs. */
export interface JobListPage {
  jobs: Array<{
    jobId: string;
    status: string;
    createdAt?: string;
    recipe?: string;
    prompt?: string;
    cancelled?: boolean;
  }>;
  next?: string;
}
/**
 * GET /jobs/{jobId}: the ledger's record plus the api's links, or the api's own record while the job is
 * QUEUED (waiting for one of the user's slots: the ledger hears of it when it starts).
 */
export type JobView = Omit<JobRecord, 'status'> & {
  status: JobRecord['status'] | 'QUEUED';
  links?: { video: string; captions?: string };
  cancelledAt?: string;
  startedAt?: string;
};

const usd = (n: number | undefined) => (n === undefined ? '-' : `$${n.toFixed(4)}`);

export function formatJobList(page: JobListPage): string {
  if (page.jobs.length === 0) return 'no jobs\n';
  const lines = page.jobs.map(
    (j) =>
      `${j.jobId}  ${j.status.padEnd(10)} ${(j.createdAt ?? '').padEnd(24)} ${j.recipe ?? ''}  ${j.prompt ?? ''}`,
  );
  const queued = page.jobs.filter((j) => j.status === 'QUEUED' && !j.cancelled).length;
  if (queued > 0)
    lines.push(`${queued} queued: each starts when one of your running jobs ends, oldest first`);
  if (page.next) lines.push(`more: npm run jobs -- --next ${page.next}`);
  return `${lines.join('\n')}\n`;
}

export function formatJob(job: JobView): string {
  const lines = [
    `job ${job.jobId}  ${job.status}`,
    `created  ${job.createdAt ?? '-'}   cost ${job.costUsd === undefined ? '-' : costLabel(job)}`,
  ];
  if (job.status === 'QUEUED' && !job.cancelledAt) lines.push(`queued   ${WAITING_FOR_SLOT}`);
  if (job.failure) lines.push(`failure  ${job.failure.stage}: ${job.failure.code}: ${job.failure.reason}`);
  if (job.output)
    lines.push(`output   ${job.output.durationSec.toFixed(2)} s ${job.output.width}x${job.output.height}`);
  if (job.links) lines.push(`video    ${job.links.video}`);
  const d = job.durations ?? {};
  lines.push(
    `stages   queued→planned ${sec(d.queuedToPlannedSec)}  planned→rendered ${sec(d.plannedToRenderedSec)}  rendered→composed ${sec(d.renderedToComposedSec)}  total ${sec(d.totalSec)}`,
    'scenes',
  );
  for (const s of job.scenes)
    lines.push(
      `  ${String(s.sceneIndex + 1).padStart(2)} ${s.kind.padEnd(10)} ${s.status.padEnd(8)} ${usd(s.costUsd)}`,
    );
  lines.push('timeline');
  for (const t of job.timeline)
    lines.push(
      `  ${t.occurredAt}  ${t.detailType}${t.sceneIndex === undefined ? '' : ` scene ${t.sceneIndex + 1}`}${t.stage ? ` (${t.stage})` : ''}`,
    );
  return `${lines.join('\n')}\n`;
}

const sec = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(2)} s`);
