import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { SERIES_RUN_DUE, type SeriesRunDue, SOURCES, seriesRunDue } from '@reelay/events';
import { Cron } from 'croner';
import { InvalidSeriesScheduleError } from './series-errors';
import type { SeriesRecord } from './series-records';

export interface SeriesScheduleDeps {
  scheduler: Pick<SchedulerClient, 'send'>;
  /** The bus the schedule puts SeriesRunDue on, and the role it puts it as (trusts scheduler.amazonaws.com). */
  busArn: string;
  roleArn: string;
  /** `reelay-<stage>-series-`: the api's schedules, which its roles may manage and no others. */
  namePrefix: string;
}

export const scheduleNameOf = (deps: Pick<SeriesScheduleDeps, 'namePrefix'>, seriesId: string) =>
  `${deps.namePrefix}${seriesId}`;

const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

/**
 * The detail a schedule puts on the bus (its target's Input): the event as its schema validates it,
 * with `scheduledTime` left to the Scheduler, which fills in `<aws.scheduler.scheduled-time>` at each
 * run, so the run counts in that instant's day.
 */
export function scheduledEvent(
  definition: typeof seriesRunDue,
  detail: Omit<SeriesRunDue, 'scheduledTime'>,
): string {
  definition.schema.parse({ ...detail, scheduledTime: new Date(0).toISOString() });
  return JSON.stringify({ ...detail, scheduledTime: SCHEDULED_TIME });
}

/** One Scheduler schedule per series: at each run it puts SeriesRunDue on the bus, nothing polls. */
function scheduleInput(series: SeriesRecord, deps: SeriesScheduleDeps) {
  return {
    Name: series.scheduleName,
    ScheduleExpression: series.schedule.expression,
    ScheduleExpressionTimezone: series.schedule.timeZone,
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    State: series.state === 'active' ? ('ENABLED' as const) : ('DISABLED' as const),
    Description: `Reelay series ${series.seriesId} of ${series.userId}`.slice(0, 512),
    Target: {
      Arn: deps.busArn,
      RoleArn: deps.roleArn,
      EventBridgeParameters: { DetailType: SERIES_RUN_DUE, Source: SOURCES.api },
      Input: scheduledEvent(seriesRunDue, { version: 1, seriesId: series.seriesId, userId: series.userId }),
    },
  };
}

/** Creates the series' schedule; an expression the Scheduler refuses is a 400 in its words. */
export async function createSeriesSchedule(series: SeriesRecord, deps: SeriesScheduleDeps): Promise<void> {
  try {
    await deps.scheduler.send(new CreateScheduleCommand(scheduleInput(series, deps)));
  } catch (error) {
    if (error instanceof ValidationException) throw new InvalidSeriesScheduleError(error.message);
    // A retried request whose first attempt created it: the schedule is what we asked for.
    if (error instanceof ConflictException) {
      await updateSeriesSchedule(series, deps);
      return;
    }
    throw error;
  }
}

export async function updateSeriesSchedule(series: SeriesRecord, deps: SeriesScheduleDeps): Promise<void> {
  try {
    await deps.scheduler.send(new UpdateScheduleCommand(scheduleInput(series, deps)));
  } catch (error) {
    if (error instanceof ValidationException) throw new InvalidSeriesScheduleError(error.message);
    throw error;
  }
}

/** Deletes the series' schedule; one already gone is fine (a retried delete). */
export async function deleteSeriesSchedule(name: string, deps: SeriesScheduleDeps): Promise<void> {
  try {
    await deps.scheduler.send(new DeleteScheduleCommand({ Name: name }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
}

const RATE_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * When the series runs next, for display (the Scheduler API does not say): a rate schedule runs from
 * its creation every interval; a cron one is evaluated in the series' zone (croner, AWS's fields).
 */
export function nextRunOf(series: SeriesRecord, now: Date): string | undefined {
  if (series.state !== 'active') return undefined;
  const { expression, timeZone } = series.schedule;
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) {
    const interval = Number(rate[1]) * (RATE_MS[rate[2] as string] ?? 0);
    const anchor = Date.parse(series.createdAt);
    const steps = Math.max(0, Math.floor((now.getTime() - anchor) / interval) + 1);
    return new Date(anchor + steps * interval).toISOString();
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return undefined;
  try {
    const next = new Cron(`0 ${cron[1]}`, {
      timezone: timeZone,
      mode: '7-part',
      alternativeWeekdays: true,
      sloppyRanges: true,
      paused: true,
    }).nextRun(now);
    return next?.toISOString();
  } catch {
    return undefined;
  }
}
