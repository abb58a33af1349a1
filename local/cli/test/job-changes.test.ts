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

/** Whether the promise has settled by now (after the callbacks already due have run). */
async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  // A resolved promise's callbacks run on the microtask queue; flushing it (not waiting on a
  // clock) is enough for a settled promise to say so.
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return settled;
}

describe('following a job by its changes instead of a fixed poll', () => {
  // Fake timers: the fallback never fires unless a test moves the clock, so "woke on the signal"
  // cannot be the fallback in disguise.
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('wakes the waiting poll as soon as the job may have changed, without the fallback', async () => {
    // Prepare
    const { signal, fire } = manualSignal();
    const waiter = new JobChangeWaiter(signal);
    const waiting = waiter.next(600_000);
    const settledBefore = await hasSettled(waiting);
    // Act
    fire();
    const settledAfter = await hasSettled(waiting);
    waiter.close();
    // Assess
    expect(settledBefore).toBe(false);
    expect(settledAfter).toBe(true);
  });

  it('keeps a change that came while nobody waited, so the next poll happens at once', async () => {
    // Prepare
    const { signal, fire } = manualSignal();
    const waiter = new JobChangeWaiter(signal);
    // Act: the change comes between two polls.
    fire();
    const settled = await hasSettled(waiter.next(600_000));
    waiter.close();
    // Assess
    expect(settled).toBe(true);
  });

  it('polls after the fallback when no signal comes (a missed signal only makes a poll late)', async () => {
    // Prepare
    const { signal } = manualSignal();
    const waiter = new JobChangeWaiter(signal);
    const waiting = waiter.next(20_000);
    // Act
    const settledEarly = await hasSettled(waiting);
    jest.advanceTimersByTime(19_999);
    const settledJustBefore = await hasSettled(waiting);
    jest.advanceTimersByTime(1);
    const settledAtFallback = await hasSettled(waiting);
    waiter.close();
    // Assess
    expect([settledEarly, settledJustBefore, settledAtFallback]).toEqual([false, false, true]);
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
