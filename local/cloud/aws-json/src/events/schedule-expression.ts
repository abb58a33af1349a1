/**
 * ScheduleExpression of a rule: `rate(N unit)` exactly, `cron(...)` best effort (UTC; `L`, `W`
 * and `#` are not supported). `second(s)` is a local extension so tests need not wait minutes.
 */
export type Schedule = { kind: 'rate'; intervalMs: number } | { kind: 'cron'; fields: CronFields };

export interface CronFields {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number> | 'any';
  months: Set<number>;
  daysOfWeek: Set<number> | 'any';
  years: Set<number> | 'any';
}

export class InvalidScheduleExpressionError extends Error {
  constructor(expression: string, reason: string) {
    super(`Parameter ScheduleExpression is not valid: ${expression} (${reason}).`);
    this.name = 'InvalidScheduleExpressionError';
  }
}

const UNIT_MS: Readonly<Record<string, number>> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export function parseScheduleExpression(expression: string): Schedule {
  const rate = /^rate\(\s*(\d+)\s+(second|minute|hour|day)(s?)\s*\)$/.exec(expression.trim());
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] as string;
    if (value < 1) throw new InvalidScheduleExpressionError(expression, 'the rate must be positive');
    if ((value === 1) !== (rate[3] === '')) {
      throw new InvalidScheduleExpressionError(
        expression,
        'use the singular unit for 1 and the plural otherwise',
      );
    }
    return { kind: 'rate', intervalMs: value * (UNIT_MS[unit] ?? 0) };
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (cron) return { kind: 'cron', fields: parseCron(expression, (cron[1] ?? '').trim().split(/\s+/)) };
  throw new InvalidScheduleExpressionError(expression, 'expected rate(...) or cron(...)');
}

/** The next time after `from` the schedule fires. */
export function nextFireTime(schedule: Schedule, from: number): number {
  if (schedule.kind === 'rate') return from + schedule.intervalMs;
  const { fields } = schedule;
  const candidate = new Date(from);
  candidate.setUTCSeconds(0, 0);
  candidate.setUTCMinutes(candidate.getUTCMinutes() + 1);
  // Minute steps over at most five years: enough for any expression that can fire at all.
  for (let step = 0; step < 5 * 366 * 24 * 60; step++) {
    if (cronMatches(fields, candidate)) return candidate.getTime();
    candidate.setUTCMinutes(candidate.getUTCMinutes() + 1);
  }
  return Number.POSITIVE_INFINITY;
}

function cronMatches(fields: CronFields, date: Date): boolean {
  return (
    fields.minutes.has(date.getUTCMinutes()) &&
    fields.hours.has(date.getUTCHours()) &&
    fields.months.has(date.getUTCMonth() + 1) &&
    (fields.years === 'any' || fields.years.has(date.getUTCFullYear())) &&
    (fields.daysOfMonth === 'any' || fields.daysOfMonth.has(date.getUTCDate())) &&
    (fields.daysOfWeek === 'any' || fields.daysOfWeek.has(date.getUTCDay() + 1))
  );
}

function parseCron(expression: string, parts: string[]): CronFields {
  if (parts.length !== 6) throw new InvalidScheduleExpressionError(expression, 'cron needs six fields');
  const [minutes, hours, daysOfMonth, months, daysOfWeek, years] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if ((daysOfMonth === '?') === (daysOfWeek === '?')) {
    throw new InvalidScheduleExpressionError(
      expression,
      'exactly one of day-of-month and day-of-week must be ?',
    );
  }
  const field = (text: string, min: number, max: number, names: readonly string[] = []) =>
    parseCronField(expression, text, min, max, names);
  return {
    minutes: field(minutes, 0, 59),
    hours: field(hours, 0, 23),
    daysOfMonth: daysOfMonth === '?' ? 'any' : field(daysOfMonth, 1, 31),
    months: field(months, 1, 12, MONTH_NAMES),
    // AWS numbers days of week 1 (SUN) to 7 (SAT).
    daysOfWeek: daysOfWeek === '?' ? 'any' : field(daysOfWeek, 1, 7, DAY_NAMES),
    years: years === '*' ? 'any' : field(years, 1970, 2199),
  };
}

function parseCronField(
  expression: string,
  text: string,
  min: number,
  max: number,
  names: readonly string[],
): Set<number> {
  const values = new Set<number>();
  const toNumber = (token: string): number => {
    const named = names.indexOf(token.toUpperCase());
    const value = named >= 0 ? named + min : Number(token);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidScheduleExpressionError(expression, `"${token}" is out of range`);
    }
    return value;
  };
  for (const part of text.split(',')) {
    const [rangeText = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw new InvalidScheduleExpressionError(expression, `bad step in "${part}"`);
    let start = min;
    let end = max;
    if (rangeText !== '*' && rangeText !== '?') {
      const [from = '', to] = rangeText.split('-');
      start = toNumber(from);
      end = to === undefined ? (stepText === undefined ? start : max) : toNumber(to);
    }
    for (let value = start; value <= end; value += step) values.add(value);
  }
  return values;
}
