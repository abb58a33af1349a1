/**
 * The series as a person reads them (GET /series, /series/{id}, /series/{id}/episodes of the api's
 * src/series): the schedule, today's count, the next run, the state and each episode in words. Pure
 * functions, no DOM, so they are unit-tested (local/console/test/series-text.test.ts).
 */

/** One series as GET /series and GET /series/{id} describe it (series-api.ts describeSeries). */
export interface SeriesView {
  seriesId: string;
  name: string;
  schedule: { expression: string; timeZone: string };
  dailyQuota: number;
  today: { day: string; count: number; quota: number };
  nextRun?: string;
  state:
    | 'active'
    | 'paused'
    | 'stopped-for-the-day'
    | 'making-episode'
    | 'waiting-for-items'
    | 'quota-reached';
  reason?: string;
  itemId?: string;
  items: { total: number; started: number; remaining: number };
  template: Record<string, unknown>;
  createdAt: string;
}

/** One item with its episode, as GET /series/{id}/episodes lists it. */
export interface EpisodeView {
  itemId: string;
  item: { prompt?: string; uploads?: string[]; script?: string[]; values?: Record<string, string> };
  status: 'PENDING' | 'STARTING' | 'RUNNING' | 'COMPLETED' | 'FAILED';
  day?: string;
  jobId?: string;
  failure?: string;
  published: Array<{ destination: string; url?: string; failure?: string; at: string }>;
}

const UNITS: Record<string, string> = { minute: 'minute', hour: 'hour', day: 'day' };

/**
 * "every day", "every 2 hours", "every day at 09:00", "Mondays at 07:30", or the expression itself
 * when it says more than these few shapes (EventBridge Scheduler's cron has six fields).
 */
export function scheduleText(schedule: SeriesView['schedule']): string {
  const zone = schedule.timeZone === 'UTC' ? 'UTC' : schedule.timeZone;
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(schedule.expression);
  if (rate) {
    const n = Number(rate[1]);
    const unit = UNITS[rate[2] as string] ?? rate[2];
    return n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
  }
  const cron = /^cron\((\d{1,2}) (\d{1,2}) (\*|\?) \* (\*|\?|[A-Z]{3}|[1-7]) \*\)$/.exec(schedule.expression);
  if (cron) {
    const time = `${(cron[2] as string).padStart(2, '0')}:${(cron[1] as string).padStart(2, '0')}`;
    const day = cron[4] as string;
    const when = day === '*' || day === '?' ? 'every day' : `every ${WEEKDAYS[day] ?? day}`;
    return `${when} at ${time} (${zone})`;
  }
  return `${schedule.expression} (${zone})`;
}
const WEEKDAYS: Record<string, string> = {
  SUN: 'Sunday',
  MON: 'Monday',
  TUE: 'Tuesday',
  WED: 'Wednesday',
  THU: 'Thursday',
  FRI: 'Friday',
  SAT: 'Saturday',
  '1': 'Sunday',
  '2': 'Monday',
  '3': 'Tuesday',
  '4': 'Wednesday',
  '5': 'Thursday',
  '6': 'Friday',
  '7': 'Saturday',
};

/** The series' state in a few words, with its reason when the api gives one. */
export function stateText(series: Pick<SeriesView, 'state' | 'reason' | 'itemId' | 'today'>): string {
  switch (series.state) {
    case 'active':
      return 'active: makes its next episode at the next run';
    case 'paused':
      return 'paused: no episode is made until you resume it';
    case 'making-episode':
      return `making an episode (item ${Number(series.itemId ?? 0) + 1})`;
    case 'quota-reached':
      return `today's quota reached (${series.today.count} of ${series.today.quota}); goes on tomorrow`;
    case 'waiting-for-items':
      return 'waiting for items: every item has its episode; append items to go on';
    case 'stopped-for-the-day':
      return `stopped for today: ${series.reason ?? 'a destination refused'}`;
    default:
      return String(series.state);
  }
}

/** A short word for the state badge. */
export const STATE_BADGE: Record<SeriesView['state'], string> = {
  active: 'ACTIVE',
  paused: 'PAUSED',
  'making-episode': 'MAKING',
  'quota-reached': 'QUOTA REACHED',
  'waiting-for-items': 'NEEDS ITEMS',
  'stopped-for-the-day': 'STOPPED TODAY',
};

/** "in 3 h 20 min (Sun 09:00 Europe/Paris)"; "none while paused" without a next run. */
export function nextRunText(nextRun: string | undefined, timeZone: string, now = Date.now()): string {
  const at = nextRun ? Date.parse(nextRun) : Number.NaN;
  if (!Number.isFinite(at)) return 'none while paused';
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  return `${inText(at - now)} (${local} ${timeZone})`;
}

/** "in 45 s", "in 12 min", "in 3 h 20 min", "in 2 days"; "now" when it is due. */
export function inText(ms: number): string {
  const sec = Math.round(ms / 1000);
  if (sec <= 0) return 'now';
  if (sec < 60) return `in ${sec} s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `in ${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `in ${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
  return `in ${Math.floor(h / 24)} days`;
}

/** What an item is, in one line: its prompt, its named values, or how many pages it brings. */
export function itemText(item: EpisodeView['item']): string {
  if (item.prompt) return item.prompt;
  const values = Object.entries(item.values ?? {});
  if (values.length) return values.map(([k, v]) => `${k}: ${v}`).join(' · ');
  if (item.uploads?.length) return `${item.uploads.length} upload${item.uploads.length === 1 ? '' : 's'}`;
  return '(empty item)';
}

/** An episode's status in words (the badge keeps the api's word). */
export function episodeStatusText(episode: Pick<EpisodeView, 'status' | 'failure'>): string {
  switch (episode.status) {
    case 'PENDING':
      return 'not made yet';
    case 'STARTING':
      return 'starting its job';
    case 'RUNNING':
      return 'its job is running';
    case 'COMPLETED':
      return 'made';
    case 'FAILED':
      return `failed${episode.failure ? `: ${episode.failure}` : ''}`;
    default:
      return String(episode.status);
  }
}

/** Where an episode went: "youtube:main published", "s3 failed: quota-exceeded: …". */
export function publishedText(entry: EpisodeView['published'][number]): string {
  return entry.failure ? `${entry.destination} failed: ${entry.failure}` : `${entry.destination} published`;
}

/** Today's count against the quota, as the card and the panel show it. */
export const todayText = (series: Pick<SeriesView, 'today'>) =>
  `${series.today.count} of ${series.today.quota} today`;
