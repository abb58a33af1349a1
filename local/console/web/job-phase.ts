import type { JobRecord, SceneRecord } from '@reelay/job-records';
import { isEndedStatus } from '../../../libs/job-records/src/keys';

/**
 * GET /jobs/{id}: the ledger's record plus what the api adds (prompt history, presigned links), or the
 * api's own record while the job is QUEUED (the user runs as many jobs as the api allows at once).
 */
export type ApiJobView = Omit<JobRecord, 'status'> & {
  status: JobRecord['status'] | 'QUEUED';
  history?: Array<{ jobId: string; prompt?: string }>;
  cancelledAt?: string;
  links?: { video: string; thumbnail: string; captions?: string; expiresAt: string };
};

export { isEndedStatus };

/** Audio scenes are planned after the visual ones (one narration line per scene, then the music bed). */
const AUDIO_KINDS = new Set(['narration', 'music']);
export const isVisualScene = (s: Pick<SceneRecord, 'kind'>) => !AUDIO_KINDS.has(s.kind);

/** A scene's state in words: an unfinished scene of an ended job did not go on rendering. */
export function sceneState(scene: Pick<SceneRecord, 'status'>, jobStatus: string): string {
  if (scene.status === 'ready') return 'done';
  if (jobStatus === 'CANCELLED') return 'cancelled';
  if (isEndedStatus(jobStatus)) return 'stopped';
  return 'rendering';
}

/** The scenes under the headings a person reads them by: Scenes · Narration · Music, each in plan order. */
export function sceneGroups(scenes: readonly SceneRecord[]): Array<{ title: string; scenes: SceneRecord[] }> {
  const sorted = [...scenes].sort((a, b) => a.sceneIndex - b.sceneIndex);
  return [
    { title: 'Scenes', scenes: sorted.filter(isVisualScene) },
    { title: 'Narration', scenes: sorted.filter((s) => s.kind === 'narration') },
    { title: 'Music', scenes: sorted.filter((s) => s.kind === 'music') },
  ].filter((g) => g.scenes.length > 0);
}

/**
 * Visual scenes ready and planned. Until the whole plan is in, the planned count is the spec's
 * `scenes` for the recipes that generate them (the plan comes in moments after planning starts).
 */
export function visualProgress(job: Pick<ApiJobView, 'scenes' | 'spec' | 'sceneCount'>): {
  ready: number;
  total: number | undefined;
} {
  const visuals = job.scenes.filter(isVisualScene);
  const wholePlan = job.sceneCount !== undefined && job.scenes.length >= job.sceneCount;
  const specScenes = typeof job.spec?.scenes === 'number' ? job.spec.scenes : undefined;
  return {
    ready: visuals.filter((s) => s.status === 'ready').length,
    total: wholePlan ? visuals.length : (specScenes ?? (visuals.length || undefined)),
  };
}

/** What the job is doing now, in a few words: "planning", "rendering 3/5 scenes", "composing", … */
export function phaseText(job: ApiJobView): string {
  if (job.status === 'QUEUED') return job.cancelledAt ? 'cancelling' : 'queued: waiting for a free slot';
  if (job.status === 'COMPLETED') return 'done';
  if (job.status === 'CANCELLED') return 'cancelled';
  if (job.status === 'FAILED') return `failed at ${job.failure?.stage ?? 'an unknown stage'}`;
  if (job.cancelledAt) return 'cancelling';
  const { ready, total } = visualProgress(job);
  const allScenesReady = job.scenes.length > 0 && job.scenes.every((s) => s.status === 'ready');
  const wholePlan = job.sceneCount !== undefined && job.scenes.length >= job.sceneCount;
  if (job.status === 'COMPOSING' || (allScenesReady && wholePlan)) return 'composing';
  if (job.status === 'REQUESTED' || job.scenes.length === 0) return 'planning';
  return `rendering ${ready}/${total ?? '?'} scenes`;
}

/** When the job ended, from the record (the terminal event's own time), if it has. */
export function endedAt(job: ApiJobView): number | undefined {
  const at = job.completedAt ?? job.failedAt ?? (isEndedStatus(job.status) ? job.updatedAt : undefined);
  const ms = at ? Date.parse(at) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** "1:05" or "12 s": a timer a person reads at a glance. */
export function clockText(ms: number): string {
  const sec = Math.max(0, Math.floor(ms / 1000));
  return sec < 60 ? `${sec} s` : `${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, '0')}`;
}

/** "3 min ago", "yesterday", or the date: when a job was made, as the gallery shows it. */
export function sinceText(iso: string | undefined, now = Date.now()): string {
  const at = iso ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(at)) return '';
  const sec = Math.max(0, (now - at) / 1000);
  if (sec < 60) return 'just now';
  if (sec < 3600) return `${Math.floor(sec / 60)} min ago`;
  if (sec < 86_400) return `${Math.floor(sec / 3600)} h ago`;
  return new Date(at).toLocaleDateString();
}
