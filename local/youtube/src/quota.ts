import type { TwinClock } from './clock';
import { quotaExceeded } from './google-errors';

/** What each method costs in quota units (YouTube Data API v3's published costs). */
export const QUOTA_COST = { 'videos.insert': 1600, 'videos.list': 1 } as const;
/** A project's default daily allowance. */
export const DEFAULT_DAILY_QUOTA = 10_000;

/**
 * Daily quota units per project (OAuth client), reset at midnight Pacific Time. A call that would go
 * over the limit is refused with 403 quotaExceeded and costs nothing.
 */
export class QuotaLedger {
  private readonly used = new Map<string, number>();

  constructor(
    private readonly clock: TwinClock,
    public dailyLimit: number,
  ) {}

  charge(clientId: string, method: keyof typeof QUOTA_COST): void {
    const key = `${this.clock.quotaDay()}|${clientId}`;
    const spent = this.used.get(key) ?? 0;
    const cost = QUOTA_COST[method];
    if (spent + cost > this.dailyLimit) throw quotaExceeded();
    this.used.set(key, spent + cost);
  }

  usedToday(clientId: string): number {
    return this.used.get(`${this.clock.quotaDay()}|${clientId}`) ?? 0;
  }

  /** Spends what is left of today's allowance (a test's way to reach the quota without uploading). */
  exhaust(clientId: string): void {
    this.used.set(`${this.clock.quotaDay()}|${clientId}`, this.dailyLimit);
  }
}
