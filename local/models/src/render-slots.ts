import { RenderAbortedError } from './render/run-ffmpeg';

/**
 * A counting semaphore for ffmpeg renders: the machine has two cores, so renders beyond the
 * limit wait (their predictions stay "starting", as on a busy Replicate deployment).
 */
export class RenderSlots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`renderConcurrency must be at least 1, got ${limit}`);
  }

  /** Resolves with a release function once a slot is free; rejects if the signal aborts first. */
  acquire(signal: AbortSignal): Promise<() => void> {
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
          this.waiting.shift()?.();
        });
      };
      const onAbort = (): void => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new RenderAbortedError());
      };
      if (this.active < this.limit) grant();
      else {
        this.waiting.push(grant);
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }
}
