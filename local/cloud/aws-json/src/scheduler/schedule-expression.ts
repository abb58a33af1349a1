import { Cron } from 'croner';
import { SchedulerError } from './scheduler-errors';

/**
 * An EventBridge Scheduler expression, evaluated in the schedule's IANA time zone:
 * `rate(value minute(s)|hour(s)|day(s))`, `cron(min hour dom month dow year)` with AWS's `?`, `L`,
 * `W` and `#`, and the one-time `at(yyyy-mm-ddThh:mm:ss)`.
 *
 * Cron arithmetic (time zones, daylight saving, L/W/#) is croner's: it reads AWS's fields once
 * translated to its seven-field form with a zero second and Quartz day-of-week numbers (1 = SUN),
 * as AWS numbers them. What croner accepts and AWS does not (both `?` and a value in neither day
 * field) is refused here first.
 */
export type ScheduleExpression =
  | { kind: 'rate'; intervalMs: number }
  | { kind: 'cron'; cron: Cron }
  | { kind: 'at'; wallTime: string };

const RATE_UNIT_MS: Readonly<Record<string, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

export function invalidExpression(expression: string) {
  return SchedulerError.validation(`Invalid Schedule Expression ${expression}.`);
}

/** The IANA zones this runtime knows (AWS accepts the same database's names), plus UTC. */
const TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC', 'GMT']);

export function assertTimeZone(timeZone: string): void {
  if (!TIME_ZONES.has(timeZone)) {
    throw SchedulerError.validation(`Invalid ScheduleExpressionTimezone ${timeZone}.`);
  }
}

export function parseScheduleExpression(expression: string, timeZone: string): ScheduleExpression {
  const rate = /^rate\((\d+) (minute|hour|day)(s?)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    // AWS takes the singular for 1 and the plural otherwise (rate(1 minute), rate(5 minutes)).
    if (value < 1 || (value === 1) !== (rate[3] === '')) throw invalidExpression(expression);
    return { kind: 'rate', intervalMs: value * (RATE_UNIT_MS[rate[2] as string] ?? 0) };
  }
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expression);
  if (at) {
    const [, y, mo, d, h, mi, s] = at.map(Number) as [number, number, number, number, number, number, number];
    const check = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
      throw invalidExpression(expression);
    return { kind: 'at', wallTime: expression.slice(3, -1) };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) {
    const fields = (cron[1] ?? '').split(' ');
    if (fields.length !== 6 || fields.some((field) => field === '')) throw invalidExpression(expression);
    const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    // AWS: one of the two day fields must be `?`, and only one.
    if ((dayOfMonth === '?') === (dayOfWeek === '?')) throw invalidExpression(expression);
    try {
      const pattern = `0 ${minutes} ${hours} ${dayOfMonth} ${month} ${dayOfWeek} ${year}`;
      const parsed = new Cron(pattern, {
        timezone: timeZone,
        mode: '7-part',
        alternativeWeekdays: true,
        sloppyRanges: true,
        paused: true,
      });
      return { kind: 'cron', cron: parsed };
    } catch {
      throw invalidExpression(expression);
    }
  }
  throw invalidExpression(expression);
}

/**
 * The first occurrence strictly after `afterMs` (epoch ms), or undefined when there is none.
 * `anchorMs` is where a rate schedule counts from (its start date, or when it was created).
 */
export function nextOccurrence(
  schedule: ScheduleExpression,
  timeZone: string,
  afterMs: number,
  anchorMs: number,
): number | undefined {
  switch (schedule.kind) {
    case 'rate': {
      if (afterMs < anchorMs) return anchorMs;
      const steps = Math.floor((afterMs - anchorMs) / schedule.intervalMs) + 1;
      return anchorMs + steps * schedule.intervalMs;
    }
    case 'cron':
      return schedule.cron.nextRun(new Date(afterMs))?.getTime() ?? undefined;
    case 'at': {
      const when = wallTimeToEpoch(schedule.wallTime, timeZone);
      return when > afterMs ? when : undefined;
    }
  }
}

/** The instant a wall-clock time (yyyy-mm-ddThh:mm:ss) names in a time zone. */
export function wallTimeToEpoch(wallTime: string, timeZone: string): number {
  const asUtc = Date.parse(`${wallTime}Z`);
  // The zone's offset at the guess, then again at the corrected instant (differs only across a DST change).
  const first = asUtc - zoneOffsetMs(asUtc, timeZone);
  return asUtc - zoneOffsetMs(first, timeZone);
}

function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(epochMs));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(epochMs / 1000) * 1000;
}
