/**
 * Memory during a soak: samples the embedded cloud process's resident memory (its Lambda sandboxes
 * are worker threads inside it, so they are part of it) plus every child process it started
 * (DynamoDB Local's JVM, ffmpeg, ...), with the sandboxes' own V8 heaps where Node can tell.
 * The soak marks "after 20 jobs" and "after 100 jobs"; the target is no growth: the later peak
 * within 20% of the earlier one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { LocalFunction } from '../local/cloud/src/lambda/local-function';

export interface MemorySample {
  at: number;
  /** This process: the cloud, its emulators and every sandbox thread. */
  processRssBytes: number;
  /** Every descendant process (DynamoDB Local, ffmpeg...). */
  childrenRssBytes: number;
  childProcesses: number;
  sandboxes: number;
  /** V8 heap used by the sandboxes (0 where this Node cannot read a worker's heap). */
  sandboxHeapBytes: number;
}

export interface MemoryMark {
  label: string;
  /** The highest process + children RSS seen from the start up to this mark. */
  peakTotalRssBytes: number;
  peakProcessRssBytes: number;
  samples: number;
}

export const GROWTH_LIMIT = 1.2;

export interface MemorySamplerOptions {
  intervalMs?: number;
  /** The cloud's functions, for the sandbox counts and heaps. */
  functions?: () => Iterable<LocalFunction>;
  pid?: number;
}

export class MemorySampler {
  private readonly samples: MemorySample[] = [];
  private readonly markList: MemoryMark[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: MemorySamplerOptions = {}) {}

  start(): this {
    const interval = this.options.intervalMs ?? 500;
    this.timer = setInterval(() => {
      this.sampling = this.sample();
    }, interval);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sampling;
  }

  async sample(): Promise<MemorySample> {
    const pid = this.options.pid ?? process.pid;
    const children = descendants(pid);
    let sandboxes = 0;
    let sandboxHeapBytes = 0;
    for (const fn of this.options.functions?.() ?? []) {
      const heaps = await fn.sandboxHeaps();
      sandboxes += heaps.length;
      for (const heap of heaps) sandboxHeapBytes += heap.usedHeapBytes ?? 0;
    }
    const sample: MemorySample = {
      at: Date.now(),
      processRssBytes: pid === process.pid ? process.memoryUsage.rss() : rssOf(pid),
      childrenRssBytes: children.reduce((sum, child) => sum + rssOf(child), 0),
      childProcesses: children.length,
      sandboxes,
      sandboxHeapBytes,
    };
    this.samples.push(sample);
    return sample;
  }

  /** Records the peak so far under a label ("after 20 jobs"); takes a fresh sample first. */
  async mark(label: string): Promise<MemoryMark> {
    await this.sampling;
    await this.sample();
    const mark: MemoryMark = {
      label,
      peakTotalRssBytes: Math.max(...this.samples.map((s) => s.processRssBytes + s.childrenRssBytes)),
      peakProcessRssBytes: Math.max(...this.samples.map((s) => s.processRssBytes)),
      samples: this.samples.length,
    };
    this.markList.push(mark);
    return mark;
  }

  marks(): MemoryMark[] {
    return [...this.markList];
  }

  latest(): MemorySample | undefined {
    return this.samples.at(-1);
  }
}

/** Growth of the peak from one mark to a later one, against the soak's limit (20%). */
export function memoryGrowth(
  earlier: MemoryMark,
  later: MemoryMark,
): { ratio: number; withinLimit: boolean } {
  const ratio = later.peakTotalRssBytes / earlier.peakTotalRssBytes;
  return { ratio, withinLimit: ratio <= GROWTH_LIMIT };
}

export function formatMemoryMarks(marks: readonly MemoryMark[]): string[] {
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  const lines = marks.map(
    (m) => `peak ${m.label}: ${mb(m.peakTotalRssBytes)} (cloud process ${mb(m.peakProcessRssBytes)})`,
  );
  const [first, last] = [marks[0], marks.at(-1)];
  if (first && last && first !== last) {
    const growth = memoryGrowth(first, last);
    lines.push(
      `growth ${first.label} → ${last.label}: ×${growth.ratio.toFixed(2)} (limit ×${GROWTH_LIMIT}: ${growth.withinLimit ? 'met' : 'NOT met'})`,
    );
  }
  return lines;
}

/** Linux: the pids of a process's descendants, from /proc/<pid>/task/<tid>/children. */
function descendants(pid: number): number[] {
  const found: number[] = [];
  const visit = (parent: number) => {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      return;
    }
    for (const task of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.split(/\s+/).filter(Boolean).map(Number)) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/** Resident memory of a process in bytes (VmRSS), 0 when it is gone or unreadable. */
function rssOf(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}
