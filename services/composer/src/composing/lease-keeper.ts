import { CompositionLeasedElsewhereError } from '../errors';

export interface LeaseKeeperOptions {
  /** How long each renewal extends the lease from the moment it is made. */
  leaseMs: number;
  /** The end of the lease as claimed (epoch ms). */
  claimedUntil: number;
  /**
   * Extends the lease to `until` if this composer still holds it (a conditional write on the owner):
   * false when another composer took it after it lapsed, or the job was published meanwhile.
   */
  renew: (until: number) => Promise<boolean>;
  /** The invocation's own deadline: the composition stops on either. */
  signal?: AbortSignal;
  now?: () => number;
  /** What is held, for the loss's message (default: the composition lease). */
  held?: string;
}

export interface LeaseKeeper {
  /** Aborted when the lease is lost (reason: CompositionLeasedElsewhereError) or `signal` aborts. */
  signal: AbortSignal;
  /** Throws the loss if the lease was lost: nothing is recorded or published under a lost lease. */
  throwIfLost(): void;
  stop(): void;
}

/**
 * Keeps a composition's lease while it runs: renews it every third of its length, so the lease can be
 * short (a crashed composer's job is taken up again within one lease) however long ffmpeg takes. A
 * renewal refused (the lease went to another composer, or the job was published) aborts the
 * composition: two composers never work on one job knowingly. A renewal that fails on the network is
 * tried again at the next beat; once the lease has run out without one, the composition is aborted
 * too, as another composer may claim it from then on.
 */
export function keepLease(options: LeaseKeeperOptions): LeaseKeeper {
  const now = options.now ?? Date.now;
  const held = options.held ?? 'the composition lease';
  const lost = new AbortController();
  let heldUntil = options.claimedUntil;
  let stopped = false;
  let renewing = false;
  const lose = (why: string) => {
    if (!lost.signal.aborted) lost.abort(new CompositionLeasedElsewhereError(why, heldUntil));
  };
  const beat = async () => {
    if (stopped || renewing || lost.signal.aborted) return;
    renewing = true;
    const until = now() + options.leaseMs;
    try {
      if (await options.renew(until)) heldUntil = until;
      else if (!stopped) lose(`${held} was taken by another invocation or its work ended meanwhile`);
    } catch {
      if (!stopped && now() >= heldUntil) lose(`${held} ran out: it could not be renewed in time`);
    } finally {
      renewing = false;
    }
  };
  const timer = setInterval(() => void beat(), Math.max(1, Math.floor(options.leaseMs / 3)));
  timer.unref();
  const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
  return {
    signal,
    throwIfLost() {
      if (lost.signal.aborted) throw lost.signal.reason;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
