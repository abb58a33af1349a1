import type { JobRecord } from '@reelay/job-records';
import { type ApiJobView, endedAt, isEndedStatus, isVisualScene } from './job-phase';

/**
 * A cost as shown; `estimate` for a job the local model server (the twin of Replicate) rendered:
 * its cost is what the same predictions would cost on Replicate, not money spent.
 */
export const costText = (usd: number | undefined, estimate = false) =>
  usd === undefined ? '' : `$${usd.toFixed(4)}${estimate ? ' (estimate)' : ''}`;

/** Whether a job's scenes were rendered by the local model server (provider `local`). */
export const costIsEstimate = (job: Pick<JobRecord, 'scenes'>) =>
  job.scenes.some((s) => s.provider === 'local');

/** Beyond this many scenes (a long story has hundreds) the chart shows one overall bar, not one per scene. */
export const MAX_SCENE_BARS = 24;

interface Bar {
  stage: string;
  from: number;
  /** Undefined while the stage runs. */
  to: number | undefined;
  /** An open stage of an ended job stopped there (it did not go on). */
  stopped?: boolean;
  /** A fraction done, for the overall bar of a long job. */
  done?: number;
}

/**
 * The bars of the job's chart, from its timeline (the events' own times):
 * - queued → planned: JobRequested to the first ScenePlanned;
 * - rendering scenes: the first ScenePlanned to the last SceneReady of the whole plan;
 * - composing: from the last SceneReady (the composer starts when every scene is ready, not at the
 *   first one) to VideoComposed;
 * - one bar per scene (planned → ready), or one overall bar for a long job.
 * A stage still open when the job ended ends with the job, marked stopped.
 */
export function waterfallBars(job: ApiJobView): Bar[] {
  const at = (t: { occurredAt: string }) => Date.parse(t.occurredAt);
  const events = (type: string, sceneIndex?: number) =>
    job.timeline
      .filter((t) => t.detailType === type && (sceneIndex === undefined || t.sceneIndex === sceneIndex))
      .map(at)
      .filter(Number.isFinite);
  const min = (xs: number[]) => (xs.length ? Math.min(...xs) : undefined);
  const max = (xs: number[]) => (xs.length ? Math.max(...xs) : undefined);
  const end = isEndedStatus(job.status) ? (endedAt(job) ?? max(job.timeline.map(at))) : undefined;
  const close = (
    stage: string,
    from: number | undefined,
    to: number | undefined,
    extra: Pick<Bar, 'done'> = {},
  ): Bar | undefined => {
    if (from === undefined) return undefined;
    const stopped = to === undefined && end !== undefined;
    return { stage, from, to: to ?? end, ...(stopped ? { stopped } : {}), ...extra };
  };

  const requested = min(events('JobRequested'));
  const firstPlanned = min(events('ScenePlanned'));
  const wholePlanReady =
    job.sceneCount !== undefined &&
    job.scenes.length >= job.sceneCount &&
    job.scenes.every((s) => s.status === 'ready');
  const lastReady = wholePlanReady ? max(events('SceneReady')) : undefined;
  const composed = min(events('VideoComposed'));
  const bars = [
    close('queued → planned', requested, firstPlanned),
    close('rendering scenes', firstPlanned, lastReady),
    close('composing', lastReady, composed),
  ];

  const ordered = [...job.scenes].sort(
    (a, b) => Number(isVisualScene(b)) - Number(isVisualScene(a)) || a.sceneIndex - b.sceneIndex,
  );
  if (ordered.length > MAX_SCENE_BARS) {
    const ready = job.scenes.filter((s) => s.status === 'ready').length;
    bars.push(
      close(`scenes ${ready}/${job.sceneCount ?? job.scenes.length} ready`, firstPlanned, lastReady, {
        done: ready / Math.max(job.sceneCount ?? job.scenes.length, 1),
      }),
    );
  } else {
    let visual = 0;
    let narration = 0;
    for (const scene of ordered) {
      const label =
        scene.kind === 'music'
          ? 'music'
          : scene.kind === 'narration'
            ? `narration ${++narration}`
            : `scene ${++visual}`;
      bars.push(
        close(
          label,
          min(events('ScenePlanned', scene.sceneIndex)),
          max(events('SceneReady', scene.sceneIndex)),
        ),
      );
    }
  }
  return bars.filter((b): b is Bar => b !== undefined);
}

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
