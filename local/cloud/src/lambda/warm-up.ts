import { availableParallelism } from 'node:os';
import type { LocalFunction } from './local-function';

/**
 * Sandboxes loading their handler at once, across every cloud of this process. A load is about half
 * a CPU-second (the bundle and the AWS SDK); thirty started together took longer, in total and until
 * the last was ready, than the same thirty one per core at a time (measured: 29-34 s against 18-23 s
 * on a loaded 2-core machine), so warm-ups queue for a slot. An invocation never waits for one: it
 * starts its sandbox at once (local-function.ts).
 */
const WARM_SLOTS = Math.max(1, availableParallelism());
let warming = 0;
const queued: Array<() => void> = [];

async function inWarmSlot(work: () => Promise<void>): Promise<void> {
  if (warming >= WARM_SLOTS) await new Promise<void>((resolve) => queued.push(resolve));
  warming++;
  try {
    await work();
  } finally {
    warming--;
    queued.shift()?.();
  }
}

/**
 * Resolves once every function has a sandbox that finished its init (handler module loaded),
 * starting one, in the order given and one per core at a time, for each function that has none.
 * A caller that times a job waits for this, so the job does not share the cores with two dozen
 * module loads.
 */
export async function whenAllWarm(functions: Iterable<LocalFunction>): Promise<void> {
  await Promise.all(
    [...functions].map((fn) =>
      fn.hasSandbox
        ? fn.whenWarm()
        : inWarmSlot(async () => {
            fn.warm();
            await fn.whenWarm();
          }),
    ),
  );
}
