import type { EmbeddedCloud } from '../cloud/src/embedded-cloud';

/** Subscribes `wake` to "a job record may have changed"; returns the unsubscribe function. */
export type JobChangeSignal = (wake: () => void) => () => void;

/**
 * On the embedded cloud a job record changes only when the ledger projects an event, and each
 * projected event is a message the ledger's project queue lets go of. Waking on that instead of
 * polling GET /jobs/{id} every 250 ms sees each change at once and spares the machine the polls
 * in between (each one a Lambda invocation and a DynamoDB query on the same two cores as the job).
 */
export function ledgerProjectionSignal(cloud: Pick<EmbeddedCloud, 'emulator' | 'stage'>): JobChangeSignal {
  const projectQueue = `reelay-${cloud.stage}-ledger-project`;
  return (wake) =>
    cloud.emulator.sqs.onLifecycle((event) => {
      if (event.queueName === projectQueue) wake();
    });
}

/**
 * Waits for the next change, or `fallbackMs` at most (a missed signal only costs a late poll).
 * A change that came while nobody waited is kept, so none is lost between two polls.
 */
export class JobChangeWaiter {
  private changed = false;
  private wakeWaiting?: () => void;
  private readonly unsubscribe: () => void;

  constructor(signal: JobChangeSignal) {
    this.unsubscribe = signal(() => {
      this.changed = true;
      this.wakeWaiting?.();
    });
  }

  next(fallbackMs: number): Promise<void> {
    if (this.changed) {
      this.changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeWaiting = undefined;
        this.changed = false;
        resolve();
      };
      const timer = setTimeout(done, fallbackMs);
      this.wakeWaiting = done;
    });
  }

  close(): void {
    this.unsubscribe();
    this.wakeWaiting?.();
  }
}
