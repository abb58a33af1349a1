import { type JobChangeSignal, JobChangeWaiter, ledgerProjectionSignal } from '../job-changes';

/** A signal the test fires by hand. */
function manualSignal(): { signal: JobChangeSignal; fire: () => void; listeners: () => number } {
  const wakes = new Set<() => void>();
  return {
    signal: (wake) => {
      wakes.add(wake);
      return () => wakes.delete(wake);
    },
    fire: () => {
      for (const wake of wakes) wake();
    },
    listeners: () => wakes.size,
  };
}

/** Whether the promise settles within a generous deadline (far below the 600 s fallback used). */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), 20_000);
  });
  const result = await Promise.race([promise.then(() => true as const), late]);
  clearTimeout(timer);
  return result;
}

describe('following a job by its changes instead of a fixed poll', () => {
  it('wakes the waiting poll as soon as the job may have changed, long before the fallback', async () => {
    // Prepare
    const { signal, fire } = manualSignal();
    const waiter = new JobChangeWaiter(signal);
    const waiting = waiter.next(600_000);
    // Act
    fire();
    const settled = await settlesSoon(waiting);
    waiter.close();
    // Assess
    expect(settled).toBe(true);
  });

  it('keeps a change that came while nobody waited, so the next poll happens at once', async () => {
    // Prepare
    const { signal, fire } = manualSignal();
    const waiter = new JobChangeWaiter(signal);
    // Act: the change comes between two polls.
    fire();
    const settled = await settlesSoon(waiter.next(600_000));
    waiter.close();
    // Assess
    expect(settled).toBe(true);
  });

  it('polls after the fallback when no signal comes (a missed signal only makes a poll late)', async () => {
    // Prepare
    const { signal } = manualSignal();
    const waiter = new JobChangeWaiter(signal);
    // Act / Assess: resolves without any signal.
    await waiter.next(20);
    waiter.close();
  });

  it('stops listening when closed', () => {
    // Prepare
    const { signal, listeners } = manualSignal();
    const waiter = new JobChangeWaiter(signal);
    // Act
    waiter.close();
    // Assess
    expect(listeners()).toBe(0);
  });

  it("wakes on the ledger's projection queue letting go of a message, and on no other queue", () => {
    // Prepare: the emulator's SQS lifecycle, as the embedded cloud exposes it.
    let emit: (event: { type: 'deleted'; queueName: string; messageId: string }) => void = () => undefined;
    const cloud = {
      stage: 'local',
      emulator: {
        sqs: {
          onLifecycle: (listener: typeof emit) => {
            emit = listener;
            return () => undefined;
          },
        },
      },
    } as unknown as Parameters<typeof ledgerProjectionSignal>[0];
    const wakes: string[] = [];
    ledgerProjectionSignal(cloud)(() => wakes.push('wake'));
    // Act
    emit({ type: 'deleted', queueName: 'reelay-local-composer-prepare', messageId: 'a' });
    emit({ type: 'deleted', queueName: 'reelay-local-ledger-project', messageId: 'b' });
    // Assess
    expect(wakes).toEqual(['wake']);
  });
});
