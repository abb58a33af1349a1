/** The soak's series check must be able to fail: each broken promise of the series is reported. */
import { checkSeries, type SoakEpisode, type SoakSeries } from './soak-series';

const SERIES: SoakSeries = {
  seriesId: 'ser_1',
  userId: 'soak-series-user',
  quota: 2,
  items: 3,
  scheduleName: 'reelay-test-series-ser_1',
};

function dayOne(): SoakEpisode[] {
  return [
    { itemId: '000000', status: 'COMPLETED', jobId: 'job-a', day: '2026-12-06' },
    { itemId: '000001', status: 'COMPLETED', jobId: 'job-b', day: '2026-12-06' },
    { itemId: '000002', status: 'PENDING' },
  ];
}

const completed = () => 'COMPLETED';

describe('the soak series check', () => {
  it('passes the quota made once, each COMPLETED with its job, the rest PENDING', () => {
    expect(checkSeries(SERIES, dayOne(), completed)).toMatchObject({ ok: true, offenders: [] });
  });

  it.each<[string, (episodes: SoakEpisode[]) => SoakEpisode[]]>([
    [
      'an episode over the quota',
      (e) =>
        e.map((x, i) => (i === 2 ? { ...x, status: 'COMPLETED', jobId: 'job-c', day: '2026-12-06' } : x)),
    ],
    ['an item lost', (e) => e.slice(0, 2)],
    ['two episodes of one job', (e) => e.map((x, i) => (i === 1 ? { ...x, jobId: 'job-a' } : x))],
    ['an episode that never ended', (e) => e.map((x, i) => (i === 1 ? { ...x, status: 'RUNNING' } : x))],
    ['an item failed without a job', (e) => e.map((x, i) => (i === 2 ? { ...x, status: 'FAILED' } : x))],
  ])('reports %s', (_what, plant) => {
    expect(checkSeries(SERIES, plant(dayOne()), completed).ok).toBe(false);
  });

  it('reports a COMPLETED episode whose job is not COMPLETED, and a soak that ran no series', () => {
    expect(checkSeries(SERIES, dayOne(), () => 'FAILED').ok).toBe(false);
    expect(checkSeries(undefined, [], completed).ok).toBe(false);
  });
});
