import { type EpisodeView, formatEpisodes, formatSeriesList, type SeriesView } from '../series-format';

const series: SeriesView = {
  seriesId: '01JD3M4Q6Y8Z0A2B4C6D8E0F2G',
  name: 'lighthouses',
  schedule: { expression: 'cron(0 9 * * ? *)', timeZone: 'Europe/Paris' },
  dailyQuota: 3,
  today: { day: '2026-12-06', count: 3, quota: 3 },
  nextRun: '2026-12-07T08:00:00.000Z',
  state: 'quota-reached',
  reason: 'made 3 of 3 today',
  items: { total: 5, started: 3, remaining: 2 },
};

describe('npm run series output', () => {
  it("shows each series' schedule, today's count against its quota, next run and state with its reason", () => {
    // Act
    const text = formatSeriesList([series]);
    // Assess
    expect(text).toContain('cron(0 9 * * ? *) Europe/Paris');
    expect(text).toContain('today 3/3');
    expect(text).toContain('next 2026-12-07T08:00:00Z');
    expect(text).toContain('2 of 5 items left');
    expect(text).toContain('quota-reached (made 3 of 3 today)');
  });

  it('shows every episode with its status, day, job, and its failure or where it was published', () => {
    // Prepare
    const episodes: EpisodeView[] = [
      {
        itemId: '000000',
        item: { prompt: 'dawn' },
        status: 'FAILED',
        day: '2026-12-06',
        jobId: 'J1',
        failure: 'render: PREDICTION_FAILED',
        published: [],
      },
      {
        itemId: '000001',
        item: { prompt: 'noon' },
        status: 'COMPLETED',
        day: '2026-12-06',
        jobId: 'J2',
        published: [{ destination: 'youtube', url: 'https://youtu.be/x' }],
      },
      { itemId: '000002', item: { prompt: 'dusk' }, status: 'PENDING', published: [] },
    ];
    // Act
    const lines = formatEpisodes(series, episodes).trimEnd().split('\n');
    // Assess
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/000000 +FAILED .*J1 +dawn +failed: render: PREDICTION_FAILED/);
    expect(lines[2]).toContain('published: https://youtu.be/x');
    expect(lines[3]).toMatch(/000002 +PENDING/);
  });
});
