import { RenderAbortedError } from './render/run-ffmpeg';

/**
 * A counting semaphore for ffmpeg renders: the machine has two cores, so renders beyond the
 * limit wait (their predictions stay "starting", as on a busy Replicate deployment). Waiting
 * renders are granted by priority (lower first), then in arrival order.
 */
export class RenderSlots {
  private active = 0;
  private arrivals = 0;
  private readonly waiting: Array<{ priority: number; arrival: number; grant: () => void }> = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`renderConcurrency must be at least 1, got ${limit}`);
  }

  /** Renders waiting for a slot now. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a slot is free; rejects if the signal aborts first. */
  acquire(signal: AbortSignal, priority = 0): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new RenderAbortedError());
        return;
      }
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.active += 1;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.active -= 1;
          this.grantNext();
        });
      };
      const onAbort = (): void => {
        const index = this.waiting.findIndex((w) => w.grant === grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new RenderAbortedError());
      };
      if (this.active < this.limit) grant();
      else {
        this.waiting.push({ priority, arrival: this.arrivals++, grant });
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  private grantNext(): void {
    let next = -1;
    this.waiting.forEach((w, i) => {
      const best = this.waiting[next];
      if (!best || w.priority < best.priority || (w.priority === best.priority && w.arrival < best.arrival))
        next = i;
    });
    if (next >= 0) this.waiting.splice(next, 1)[0]?.grant();
  }
}
