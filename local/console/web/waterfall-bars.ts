import { type ApiJobView, endedAt, isEndedStatus, isVisualScene } from './job-phase';

/** Beyond this many scenes (a long story has hundreds) the chart shows one overall bar, not one per scene. */
export const MAX_SCENE_BARS = 24;

export interface Bar {
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
