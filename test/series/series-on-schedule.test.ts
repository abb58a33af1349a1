import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { type EmbeddedCloud, REPO_ROOT, startEmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import { TEST_STAGE } from '../support/test-stage';

const DAY = 86_400_000;

interface Episode {
  itemId: string;
  status: string;
  jobId?: string;
  day?: string;
}

/**
 * The done-criterion of issue 20's series half, on the embedded cloud with every function, queue and
 * rule as deployed: a series created over the HTTP API gets its Scheduler schedule; the schedule
 * fires (a rate schedule at once), the series makes its daily quota of real videos one after another,
 * and the next day (the scheduler's clock moved, no waiting) the rest.
 */
describe('a series on a schedule with a daily quota, on the embedded cloud', () => {
  let cloud: EmbeddedCloud;
  const logs: string[] = [];
  const userId = 'series-user';

  beforeAll(async () => {
    const logFile = join(REPO_ROOT, '.reelay', 'logs', 'series.log');
    mkdirSync(dirname(logFile), { recursive: true });
    cloud = await startEmbeddedCloud({
      stage: TEST_STAGE,
      onLog: (fn, line) => {
        logs.push(`${fn} ${line}`);
        appendFileSync(logFile, `${fn} ${line}\n`);
      },
    });
  }, 240_000);
  afterAll(async () => {
    await cloud?.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${cloud.endpoints.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${cloud.token(userId)}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return {
      status: response.status,
      body: (await response.json().catch(() => ({}))) as Record<string, unknown>,
    };
  };
  const episodes = async (seriesId: string) =>
    (await call('GET', `/series/${seriesId}/episodes`)).body.episodes as Episode[];

  /** Polls the series' episodes until `done` holds (each poll is a real API call; the jobs take seconds). */
  const until = async (seriesId: string, done: (e: Episode[]) => boolean, timeoutMs = 300_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await episodes(seriesId);
      if (done(current)) return current;
      if (Date.now() > deadline)
        throw new Error(`episodes: ${JSON.stringify(current)}\n${logs.slice(-40).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  const ended = (e: Episode) => e.status === 'COMPLETED' || e.status === 'FAILED';

  it('makes exactly 3 of 5 videos on day one and the other 2 the next day', async () => {
    // Prepare: a rate schedule (it first runs at once), a quota of 3, five one-second 480p items.
    const created = await call('POST', '/series', {
      name: 'five lighthouses',
      template: {
        prompt: 'a lighthouse at {{prompt}}',
        scenes: 1,
        secondsPerScene: 1,
        resolution: '480p',
        music: false,
        narration: false,
        captions: false,
      },
      items: ['dawn', 'noon', 'dusk', 'night', 'storm'].map((prompt) => ({ prompt })),
      schedule: { expression: 'rate(1 day)', timeZone: 'UTC' },
      dailyQuota: 3,
    });
    expect(created.status).toBe(201);
    const seriesId = String(created.body.seriesId);
    const schedule = await cloud.clients.scheduler.send(
      new GetScheduleCommand({ Name: `reelay-${cloud.stage}-series-${seriesId}` }),
    );
    expect(schedule.State).toBe('ENABLED');

    // Act (day one): the schedule's first run; three episodes end one after another.
    const dayOne = await until(
      seriesId,
      (e) => e.filter(ended).length >= 3 && !e.some((x) => x.status === 'RUNNING'),
    );
    const afterDayOne = await call('GET', `/series/${seriesId}`);

    // Act (day two): the scheduler's clock moves a day; its run makes the rest.
    const fired = await cloud.emulator.scheduler.advanceClock(DAY);
    const dayTwo = await until(seriesId, (e) => e.every(ended));

    // Assess
    expect(dayOne.filter(ended)).toHaveLength(3);
    expect(dayOne.filter((e) => e.status === 'PENDING')).toHaveLength(2);
    expect(afterDayOne.body).toMatchObject({ state: 'quota-reached', today: { count: 3, quota: 3 } });
    expect(fired.filter((f) => f.name.endsWith(seriesId))).toHaveLength(1);
    expect(dayTwo.map((e) => e.status)).toEqual(Array(5).fill('COMPLETED'));
    const days = dayTwo.map((e) => e.day);
    expect(new Set(days.slice(0, 3)).size).toBe(1);
    expect(new Set(days.slice(3)).size).toBe(1);
    expect(days[3]).not.toBe(days[0]);
    for (const episode of dayTwo) {
      const job = await call('GET', `/jobs/${episode.jobId}`);
      expect(job.body.status).toBe('COMPLETED');
    }
  }, 600_000);
});
