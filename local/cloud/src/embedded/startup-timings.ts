/**
 * Where the embedded cloud's start-up goes: each step's wall-clock span from the start (steps run
 * side by side, so spans overlap), and the CPU the cloud's process spent (its worker-thread
 * sandboxes included; Java, esbuild and osls are child processes and not counted). The bench prints
 * them (bench/startup.ts); `REELAY_STARTUP_TIMINGS=1` prints them to stderr once every function is
 * warm, to see the slowest step of a start without the bench.
 */
export interface StartupStep {
  name: string;
  /** Milliseconds from the start of startEmbeddedCloud. */
  startMs: number;
  endMs: number;
}

export class StartupTimings {
  readonly steps: StartupStep[] = [];
  private readonly origin = performance.now();
  private readonly cpuAtStart = process.cpuUsage();

  /** Times `work` as the step `name` (its span ends when it settles, resolved or not). */
  async time<T>(name: string, work: () => Promise<T>): Promise<T> {
    const startMs = this.now();
    try {
      return await work();
    } finally {
      this.steps.push({ name, startMs, endMs: this.now() });
    }
  }

  /** Milliseconds since the start. */
  now(): number {
    return performance.now() - this.origin;
  }

  /** CPU-milliseconds this process spent since the start (user + system, all its threads). */
  cpuMs(): number {
    const { user, system } = process.cpuUsage(this.cpuAtStart);
    return (user + system) / 1000;
  }

  /** One line per step, in the order they began: `   0.0 →   5.4 s  DynamoDB Local`. */
  lines(): string[] {
    const s = (ms: number) => (ms / 1000).toFixed(1).padStart(5);
    return [...this.steps]
      .sort((a, b) => a.startMs - b.startMs)
      .map((step) => `${s(step.startMs)} → ${s(step.endMs)} s  ${step.name}`);
  }
}
