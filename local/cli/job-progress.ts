import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { type Paint, paintFor } from './colour';
import {
  MAX_SCENE_ROWS,
  overallProgress,
  type SceneProgress,
  type SceneState,
  sceneGroups,
  sceneProgress,
} from './scene-labels';

/** What the CLI shows of a job record while it runs. */
export interface ProgressView {
  status: string;
  scenes: SceneState[];
  sceneCount?: number;
}

export interface ProgressReporter {
  update(view: ProgressView): void;
  stop(): void;
}

/**
 * Bars per scene on a terminal (coloured where it has colours); plain lines (one per change) in a
 * pipe or CI. Scenes are labelled by kind in plan order (scene-labels.ts), with the job's overall
 * progress ("3/5 scenes") and the seconds since the reporter was made (the job's submission).
 */
export function progressReporter(
  stream: NodeJS.WriteStream = process.stderr,
  clock: () => number = Date.now,
): ProgressReporter {
  const started = clock();
  const elapsed = () => `${((clock() - started) / 1000).toFixed(1)} s`;
  return stream.isTTY
    ? new BarsReporter(stream, paintFor(stream), elapsed)
    : new LinesReporter(stream, elapsed);
}

/** A state as the bars show it: done green, failed red, work in flight yellow. */
function paintState(paint: Paint, state: string): string {
  if (state === 'ready' || state === 'completed') return paint('green', state);
  if (state === 'failed' || state === 'stopped') return paint('red', state);
  if (state === 'cancelled') return paint('yellow', state);
  return paint('yellow', state);
}

/**
 * The job's state in words: a QUEUED job (the user has as many jobs running as the api allows) says
 * what it waits for, so a job that shows no progress does not look stuck.
 */
export function jobStateText(status: string): string {
  return status === 'QUEUED' ? QUEUED_TEXT : status.toLowerCase();
}
export const WAITING_FOR_SLOT = 'waiting for one of your running jobs to end';
const QUEUED_TEXT = `queued: ${WAITING_FOR_SLOT}`;

class LinesReporter implements ProgressReporter {
  private seen = new Set<string>();
  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly elapsed: () => string,
  ) {}
  update(view: ProgressView): void {
    const progress = sceneProgress(view);
    this.writeOnce(`job ${jobStateText(view.status)}`);
    // Scene lines once the whole plan is seen (moments after planning), so they come in plan order.
    if (!progress.settled) return;
    if (progress.rows.length > MAX_SCENE_ROWS) this.writeGroups(progress);
    else for (const row of progress.rows) this.writeOnce(`${row.label} ${row.state}`);
    // The overall count when it changes, with the time it changed at.
    if (progress.rows.length) this.writeOnce(overallProgress(progress), ` after ${this.elapsed()}`);
  }
  /** A long job: each group's count at every tenth of it and at the end, not a line per scene. */
  private writeGroups(progress: SceneProgress): void {
    for (const group of sceneGroups(progress)) {
      const tenth = Math.floor((group.ready * 10) / Math.max(1, group.total));
      const settled = group.state !== `${group.ready}/${group.total} ready` || group.ready === group.total;
      if (settled || !this.seen.has(`${group.label}#${tenth}`)) {
        this.seen.add(`${group.label}#${tenth}`);
        this.writeOnce(`${group.label} ${group.state}`);
      }
    }
  }
  private writeOnce(line: string, suffix = ''): void {
    if (this.seen.has(line)) return;
    this.seen.add(line);
    this.stream.write(`${line}${suffix}\n`);
  }
  stop(): void {}
}

class BarsReporter implements ProgressReporter {
  private readonly multibar: MultiBar;
  private readonly bars = new Map<number, SingleBar>();
  private readonly groupBars = new Map<string, SingleBar>();
  private job?: SingleBar;
  constructor(
    stream: NodeJS.WriteStream,
    private readonly paint: Paint,
    private readonly elapsed: () => string,
  ) {
    this.multibar = new MultiBar(
      {
        stream,
        format: ' {label} [{bar}] {state}',
        // Room on an 80-column terminal for the longest label, the state and "3/5 scenes  12.3 s"
        // (cli-progress cuts a line at the width counting its colour codes).
        barsize: 20,
        hideCursor: true,
        clearOnComplete: false,
        autopadding: true,
      },
      Presets.shades_classic,
    );
  }
  update(view: ProgressView): void {
    this.job ??= this.multibar.create(4, 0, { label: 'job', state: '' });
    const jobStep =
      { REQUESTED: 0, PLANNED: 1, RENDERING: 1, COMPOSING: 3, COMPLETED: 4, FAILED: 4, CANCELLED: 4 }[
        view.status
      ] ?? 0;
    const allReady = view.scenes.length > 0 && view.scenes.every((s) => s.status === 'ready');
    const progress = sceneProgress(view);
    const overall = progress.rows.length ? `  ${overallProgress(progress)}` : '';
    this.job.update(view.status === 'RENDERING' && allReady ? 3 : jobStep, {
      state: `${paintState(
        this.paint,
        allReady && view.status === 'RENDERING' ? 'composing' : jobStateText(view.status),
      )}${overall}  ${this.elapsed()}`,
    });
    // Scenes arrive in any order and a bar cannot be moved once drawn, so the scene bars are
    // created once the whole plan is seen (the planned scenes come within moments of each other),
    // all at once in plan order.
    if (!progress.settled) return;
    if (progress.rows.length > MAX_SCENE_ROWS) {
      this.updateGroups(progress);
      return;
    }
    const width = Math.max(...progress.rows.map((r) => r.label.length), 'job'.length);
    this.job.update({ label: 'job'.padEnd(width) });
    for (const row of progress.rows) {
      let bar = this.bars.get(row.sceneIndex);
      if (!bar) {
        bar = this.multibar.create(2, 0, { label: row.label, state: '' });
        this.bars.set(row.sceneIndex, bar);
      }
      bar.update(row.state === 'ready' ? 2 : 1, {
        label: row.label.padEnd(width),
        state: paintState(this.paint, row.state),
      });
    }
  }
  /** A long job: one bar per group (scenes, narration, music) filling as its scenes are ready. */
  private updateGroups(progress: SceneProgress): void {
    const groups = sceneGroups(progress);
    const width = Math.max(...groups.map((g) => g.label.length), 'job'.length);
    this.job?.update({ label: 'job'.padEnd(width) });
    for (const group of groups) {
      let bar = this.groupBars.get(group.label);
      if (!bar) {
        bar = this.multibar.create(group.total, 0, { label: group.label, state: '' });
        this.groupBars.set(group.label, bar);
      }
      const done = group.ready === group.total;
      bar.update(group.ready, {
        label: group.label.padEnd(width),
        state: done ? paintState(this.paint, group.state) : this.paint('yellow', group.state),
      });
    }
  }
  stop(): void {
    this.multibar.stop();
  }
}
