/** What `npm run series` prints: pure functions of the api's answers (tested without a cloud). */

export interface SeriesView {
  seriesId: string;
  name: string;
  schedule: { expression: string; timeZone: string };
  dailyQuota: number;
  today: { day: string; count: number; quota: number };
  nextRun?: string;
  state: string;
  reason?: string;
  items: { total: number; started: number; remaining: number };
}

export interface EpisodeView {
  itemId: string;
  item: { prompt?: string; uploads?: string[]; values?: Record<string, string> };
  status: string;
  day?: string;
  jobId?: string;
  failure?: string;
  published: Array<{ destination: string; url?: string }>;
}

/** One line per series: id, name, schedule and zone, today's count against the quota, next run, state. */
export function formatSeriesList(series: readonly SeriesView[]): string {
  if (series.length === 0) return 'no series yet (POST /series creates one)\n';
  return `${series.map(formatSeriesLine).join('\n')}\n`;
}

export function formatSeriesLine(s: SeriesView): string {
  const next = s.nextRun ? `next ${s.nextRun.replace('.000Z', 'Z')}` : 'no next run';
  const state = s.reason ? `${s.state} (${s.reason})` : s.state;
  return [
    s.seriesId,
    s.name,
    `${s.schedule.expression} ${s.schedule.timeZone}`,
    `today ${s.today.count}/${s.today.quota}`,
    next,
    `${s.items.remaining} of ${s.items.total} items left`,
    state,
  ].join('  ');
}

/** One series and its episodes: item, status, job, the day it counted in, failure or where published. */
export function formatEpisodes(series: SeriesView, episodes: readonly EpisodeView[]): string {
  const lines = episodes.map((e) => {
    const what =
      e.item.prompt ?? (e.item.uploads ? `${e.item.uploads.length} uploads` : JSON.stringify(e.item.values));
    const where = e.published.map((p) => p.url ?? p.destination).join(', ');
    return [
      `  ${e.itemId}`,
      e.status.padEnd(9),
      e.day ?? '-         ',
      e.jobId ?? '-',
      what,
      ...(e.failure ? [`failed: ${e.failure}`] : []),
      ...(where ? [`published: ${where}`] : []),
    ].join('  ');
  });
  return `${formatSeriesLine(series)}\n${lines.join('\n')}${lines.length ? '\n' : '  no items yet\n'}`;
}
