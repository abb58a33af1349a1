import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { type Paint, paintFor } from './colour';

/** What the CLI shows of a job record while it runs. */
export interface ProgressView {
  status: string;
  scenes: Array<{ sceneIndex: number; status: string }>;
  sceneCount?: number;
}

export interface ProgressReporter {
  update(view: ProgressView): void;
  stop(): void;
}

/** Bars per scene on a terminal (coloured where it has colours); plain lines (one per change) in a pipe or CI. */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return stream.isTTY ? new BarsReporter(stream, paintFor(stream)) : new LinesReporter(stream);
}

/** A state as the bars show it: done green, failed red, work in flight yellow. */
function paintState(paint: Paint, state: string): string {
  if (state === 'ready' || state === 'completed') return paint('green', state);
  if (state === 'failed') return paint('red', state);
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
  constructor(private readonly stream: NodeJS.WriteStream) {}
  update(view: ProgressView): void {
    const lines = [`job ${jobStateText(view.status)}`];
    for (const s of view.scenes)
      lines.push(`scene ${s.sceneIndex + 1}/${view.sceneCount ?? view.scenes.length} ${s.status}`);
    for (const line of lines) {
      if (this.seen.has(line)) continue;
      this.seen.add(line);
      this.stream.write(`${line}\n`);
    }
  }
  stop(): void {}
}

const SCENE_STEPS: Record<string, number> = { planned: 1, ready: 2 };

class BarsReporter implements ProgressReporter {
  private readonly multibar: MultiBar;
  private readonly bars = new Map<number, SingleBar>();
  private job?: SingleBar;
  constructor(
    stream: NodeJS.WriteStream,
    private readonly paint: Paint,
  ) {
    this.multibar = new MultiBar(
      {
        stream,
        format: ' {label} [{bar}] {state}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        autopadding: true,
      },
      Presets.shades_classic,
    );
  }
  update(view: ProgressView): void {
    this.job ??= this.multibar.create(4, 0, { label: 'job      ', state: '' });
    const jobStep =
      { REQUESTED: 0, PLANNED: 1, RENDERING: 1, COMPOSING: 3, COMPLETED: 4, FAILED: 4 }[view.status] ?? 0;
    const allReady = view.scenes.length > 0 && view.scenes.every((s) => s.status === 'ready');
    this.job.update(view.status === 'RENDERING' && allReady ? 3 : jobStep, {
      state: paintState(
        this.paint,
        allReady && view.status === 'RENDERING' ? 'composing' : jobStateText(view.status),
      ),
    });
    for (const s of view.scenes) {
      let bar = this.bars.get(s.sceneIndex);
      if (!bar) {
        bar = this.multibar.create(2, 0, {
          label: `scene ${String(s.sceneIndex + 1).padStart(2)}`,
          state: '',
        });
        this.bars.set(s.sceneIndex, bar);
      }
      bar.update(SCENE_STEPS[s.status] ?? 0, {
        state: paintState(this.paint, s.status === 'planned' ? 'rendering' : s.status),
      });
    }
  }
  stop(): void {
    this.multibar.stop();
  }
}
