/** When an armed fault fires: a number of times, or with a probability from a seeded generator. */
export interface FaultTriggerOptions {
  /** How many times the fault fires; 1 by default, unlimited by default when a probability is given. */
  times?: number;
  /** Chance (0–1) that each eligible occasion fires; 1 by default. */
  probability?: number;
  /** Seed of the generator behind probability, so a run can be reproduced (default 1). */
  seed?: number;
}

export class InvalidFaultOptionsError extends Error {
  readonly retryable = false;
  constructor(reason: string) {
    super(`invalid fault: ${reason}`);
    this.name = 'InvalidFaultOptionsError';
  }
}

/**
 * mulberry32: a tiny, well-known 32-bit generator. Hand-written because all a fault needs is a
 * reproducible stream of numbers in [0, 1); no installed package exposes one without a test runner.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultTrigger {
  private remaining: number;
  private readonly probability: number;
  private readonly random: () => number;
  /** Times it fired. */
  fired = 0;

  constructor(options: FaultTriggerOptions) {
    const probability = options.probability ?? 1;
    if (!(probability >= 0 && probability <= 1))
      throw new InvalidFaultOptionsError(`probability ${options.probability} is not within 0..1`);
    const times = options.times ?? (options.probability === undefined ? 1 : Number.POSITIVE_INFINITY);
    if (!(times >= 0)) throw new InvalidFaultOptionsError(`times ${options.times} is not a count`);
    this.remaining = times;
    this.probability = probability;
    this.random = seededRandom(options.seed ?? 1);
  }

  get exhausted(): boolean {
    return this.remaining <= 0;
  }

  /** Decides one eligible occasion; counts it when it fires. */
  fire(): boolean {
    if (this.remaining <= 0) return false;
    if (this.probability < 1 && this.random() >= this.probability) return false;
    this.remaining--;
    this.fired++;
    return true;
  }
}
