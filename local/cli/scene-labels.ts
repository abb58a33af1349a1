import { isEndedStatus } from '@reelay/job-records';

/**
 * How the CLI names a job's scenes. The planner numbers every scene of a job in one sequence: the
 * visual scenes first (0..v-1), then one narration line per visual scene (v..2v-1), then the music
 * bed (services/generator/src/planning/deterministic-planner.ts). A person thinks of "scene 2",
 * "the narration of scene 2" and "the music", so the labels follow the kind, not the raw index.
 */

/** A scene as the CLI sees it in a job record. */
export interface SceneState {
  sceneIndex: number;
  /** video, image, upload, narration or music (absent in records older than the kind). */
  kind?: string;
  status: string;
}

export interface SceneRow {
  sceneIndex: number;
  /** "scene 2/3", "narration 2/3", "music". */
  label: string;
  /** What a person reads: ready, rendering, or stopped when the job ended without it. */
  state: string;
  visual: boolean;
}

export interface SceneProgress {
  /** Visual scenes first, then narration, then music; by position within each. */
  rows: SceneRow[];
  /** Visual scenes ready, out of `visualTotal`. */
  visualReady: number;
  /** Visual scenes the job planned; undefined until the plan is known. */
  visualTotal?: number;
  /**
   * Every planned scene has been seen (or the job has ended): from here on the rows keep their
   * order, so a reporter that cannot reorder what it wrote waits for this.
   */
  settled: boolean;
}

const AUDIO_KINDS = new Set(['narration', 'music']);
const GROUP_ORDER: Record<string, number> = { narration: 1, music: 2 };
export const isVisualKind = (kind: string | undefined) => !AUDIO_KINDS.has(kind ?? '');

/** The visual scenes of a planned job: what "N scenes" means to the person who asked for N. */
export function visualSceneCount(scenes: ReadonlyArray<{ kind?: string }>): number {
  return scenes.filter((s) => isVisualKind(s.kind)).length;
}

/** "3 scenes with music and narration": the visual scenes as planned, the audio named. */
export function scenesSummary(scenes: ReadonlyArray<{ kind?: string }>): string {
  const audio = [...new Set(scenes.filter((s) => !isVisualKind(s.kind)).map((s) => s.kind))].sort();
  const count = visualSceneCount(scenes);
  return `${count} scene${count === 1 ? '' : 's'}${audio.length ? ` with ${audio.join(' and ')}` : ''}`;
}

/**
 * The scenes of a job labelled and in a stable order, whatever order the record's scenes arrived
 * in. `sceneCount` (every scene, audio included) tells when the whole plan has been seen; until
 * then the number of visual scenes is known once a narration line is seen.
 */
export function sceneProgress(view: {
  status: string;
  scenes: readonly SceneState[];
  sceneCount?: number;
}): SceneProgress {
  const ended = isEndedStatus(view.status);
  const visuals = view.scenes.filter((s) => isVisualKind(s.kind));
  const wholePlan = view.sceneCount !== undefined && view.scenes.length >= view.sceneCount;
  // With narration the plan is v visual scenes, v narration lines and at most one music bed, so
  // sceneCount is 2v or 2v+1: one narration line seen is enough to know v.
  const narrated = view.scenes.some((s) => s.kind === 'narration') && view.sceneCount !== undefined;
  const visualTotal = wholePlan
    ? visuals.length
    : narrated
      ? Math.floor((view.sceneCount as number) / 2)
      : undefined;
  const of = visualTotal === undefined ? '' : `/${visualTotal}`;
  const ordered = [...view.scenes].sort(
    (a, b) =>
      (GROUP_ORDER[a.kind ?? ''] ?? 0) - (GROUP_ORDER[b.kind ?? ''] ?? 0) || a.sceneIndex - b.sceneIndex,
  );
  const rows = ordered.map((s): SceneRow => {
    const visual = isVisualKind(s.kind);
    // A narration line belongs to the visual scene it is spoken over: the k-th narration, scene k.
    const label =
      s.kind === 'music'
        ? 'music'
        : s.kind === 'narration'
          ? `narration ${narrationNumber(s, view.scenes, visualTotal)}${of}`
          : `scene ${s.sceneIndex + 1}${of}`;
    // A planned scene is rendering while the job runs; any other state (failed) is shown as it is.
    const state = s.status === 'planned' ? (ended ? 'stopped' : 'rendering') : s.status;
    return { sceneIndex: s.sceneIndex, label, state, visual };
  });
  return {
    rows,
    visualReady: visuals.filter((s) => s.status === 'ready').length,
    visualTotal,
    settled: wholePlan || ended,
  };
}

function narrationNumber(
  scene: SceneState,
  scenes: readonly SceneState[],
  visualTotal: number | undefined,
): number {
  if (visualTotal !== undefined) return scene.sceneIndex - visualTotal + 1;
  // The plan is not all seen yet: count the narration lines before this one.
  return scenes.filter((s) => s.kind === 'narration' && s.sceneIndex <= scene.sceneIndex).length;
}

/** "3/5 scenes" (or "3 scenes" while the plan is still arriving). */
export function overallProgress(progress: SceneProgress): string {
  return progress.visualTotal === undefined
    ? `${progress.visualReady} scenes ready`
    : `${progress.visualReady}/${progress.visualTotal} scenes`;
}

/**
 * More scenes than this and the CLI shows one row per group (the pictures, the narration, the
 * music) with its count, instead of a row per scene: 241 rows for a 120-page story would scroll
 * the job's state off the screen.
 */
export const MAX_SCENE_ROWS = 12;

export interface SceneGroup {
  /** "scenes", "narration", "music". */
  label: string;
  ready: number;
  total: number;
  /** "37/120 ready", with the failed and stopped counted when there are any. */
  state: string;
}

/** The rows of a progress grouped: visual scenes, narration, music (those the job has), in that order. */
export function sceneGroups(progress: SceneProgress): SceneGroup[] {
  const groups = new Map<string, SceneRow[]>();
  for (const row of progress.rows) {
    const label = row.visual ? 'scenes' : row.label.startsWith('narration') ? 'narration' : 'music';
    groups.set(label, [...(groups.get(label) ?? []), row]);
  }
  return [...groups.entries()].map(([label, rows]) => {
    const count = (state: string) => rows.filter((r) => r.state === state).length;
    const ready = count('ready');
    const others = ['failed', 'stopped', 'cancelled']
      .map((state) => [state, count(state)] as const)
      .filter(([, n]) => n > 0)
      .map(([state, n]) => `, ${n} ${state}`)
      .join('');
    return { label, ready, total: rows.length, state: `${ready}/${rows.length} ready${others}` };
  });
}
