/** The twin's time: the real clock plus an offset a test moves (`advance`), so no test waits for a day. */
export class TwinClock {
  private offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.base() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /**
   * The quota day: YouTube's daily quota resets at midnight Pacific Time, so the day key is the date
   * in America/Los_Angeles, not in UTC.
   */
  quotaDay(): string {
    return new Intl.DateTimeFormat('en-CA', {
      timeZone: 'America/Los_Angeles',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(new Date(this.now()));
  }
}
