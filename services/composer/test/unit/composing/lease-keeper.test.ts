import { keepLease } from '../../../src/composing/lease-keeper';
import { CompositionLeasedElsewhereError } from '../../../src/errors';

/** The renewals the keeper asked for, answered by `answer` (the lease store's conditional write). */
function leaseStore(answer: (until: number) => Promise<boolean>) {
  const renewals: number[] = [];
  return {
    renewals,
    renew: async (until: number) => {
      renewals.push(until);
      return answer(until);
    },
  };
}

describe('the composition lease is renewed while the composition runs', () => {
  const T0 = 1_000_000;
  let clock = T0;
  const now = () => clock;
  /** Moves the fake clock and the timers together, letting each renewal's promise settle. */
  const advance = async (ms: number) => {
    for (let step = 0; step < ms; step += 1000) {
      clock += 1000;
      await jest.advanceTimersByTimeAsync(1000);
    }
  };

  beforeEach(() => {
    jest.useFakeTimers();
    clock = T0;
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('extends the lease by its length every third of it, for as long as it is held', async () => {
    // Prepare
    const store = leaseStore(async () => true);
    const lease = keepLease({ leaseMs: 30_000, claimedUntil: T0 + 30_000, renew: store.renew, now });
    // Act: three times the lease's length.
    await advance(90_000);
    lease.stop();
    await advance(30_000);
    // Assess: a renewal each 10 s, each to 30 s past its moment; none once stopped; never lost.
    expect(store.renewals).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => T0 + i * 10_000 + 30_000));
    expect(lease.signal.aborted).toBe(false);
    expect(() => lease.throwIfLost()).not.toThrow();
  });

  it('a renewal refused (another composer holds the lease) aborts the composition with the loss', async () => {
    // Prepare: the second renewal finds the lease taken.
    let answers = 0;
    const store = leaseStore(async () => ++answers < 2);
    const lease = keepLease({ leaseMs: 30_000, claimedUntil: T0 + 30_000, renew: store.renew, now });
    // Act
    await advance(20_000);
    // Assess: ffmpeg's signal aborted, with the loss as its reason; no renewal after it.
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toBeInstanceOf(CompositionLeasedElsewhereError);
    expect(() => lease.throwIfLost()).toThrow(CompositionLeasedElsewhereError);
    await advance(30_000);
    expect(store.renewals).toHaveLength(2);
    lease.stop();
  });

  it('renewals failing on the network abort the composition only once the lease has run out', async () => {
    // Prepare: every renewal fails with an error (not a refusal).
    const store = leaseStore(async () => {
      throw new Error('ECONNRESET');
    });
    const lease = keepLease({ leaseMs: 30_000, claimedUntil: T0 + 30_000, renew: store.renew, now });
    // Act, Assess: still held at 20 s (the lease runs to 30 s), lost at the beat past its end.
    await advance(20_000);
    expect(lease.signal.aborted).toBe(false);
    await advance(10_000);
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toBeInstanceOf(CompositionLeasedElsewhereError);
    lease.stop();
  });

  it("the invocation's own deadline aborts the signal without calling the lease lost", async () => {
    // Prepare
    const deadline = new AbortController();
    const store = leaseStore(async () => true);
    const lease = keepLease({
      leaseMs: 30_000,
      claimedUntil: T0 + 30_000,
      renew: store.renew,
      now,
      signal: deadline.signal,
    });
    // Act
    deadline.abort();
    // Assess
    expect(lease.signal.aborted).toBe(true);
    expect(() => lease.throwIfLost()).not.toThrow();
    lease.stop();
  });
});
