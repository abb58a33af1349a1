import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  makeJobFailed,
  makePublishFailed,
  makeSeriesRunDue,
  makeVideoComposed,
  makeVideoPublished,
} from '@reelay/events';
import { type AwsJsonEmulator, startAwsJsonEmulator } from '../../../../local/cloud/aws-json/src';
import {
  appendItems,
  createSeries,
  getSeries,
  listEpisodes,
  listSeries,
  type SeriesApiDeps,
} from '../../src/series/series-api';
import { handleSeriesEvent } from '../../src/series/series-events';
import { daySk, itemSk, seriesPk } from '../../src/series/series-records';
import { advanceSeries } from '../../src/series/series-run';
import { type ApiTableFixture, RecordingPublisher, startApiTable } from '../support/api-table';
import { answerOf } from '../support/http-answer';

const BUS_ARN = 'arn:aws:events:us-east-1:000000000000:event-bus/reelay-test';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/series-scheduler';
const DAY_ONE = '2026-12-06T08:00:00Z';
const DAY_TWO = '2026-12-07T08:00:00Z';

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Series on DynamoDB Local and the local EventBridge Scheduler with the real clients: the API
 * (validation, isolation, idempotency) and the run by events (quota per day in the series' zone,
 * one episode after another, duplicates, replays, failures, concurrency).
 */
describe('series: a daily quota of episodes, advanced by events', () => {
  let fixture: ApiTableFixture;
  let emulator: AwsJsonEmulator;
  let scheduler: SchedulerClient;
  let userSeq = 0;

  beforeAll(async () => {
    [fixture, emulator] = await Promise.all([
      startApiTable(),
      startAwsJsonEmulator({ invokeLambda: async () => undefined }),
    ]);
    scheduler = new SchedulerClient({
      endpoint: emulator.schedulerUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }, 120_000);
  afterAll(async () => {
    scheduler?.destroy();
    await emulator?.close();
    await fixture?.close();
  });

  function setup() {
    const publisher = new RecordingPublisher();
    const deps: SeriesApiDeps = {
      doc: fixture.doc,
      table: fixture.table,
      publisher,
      quota: { unit: 'jobs', perDay: 1000 },
      resolveUploads: async () => [],
      schedules: { scheduler, busArn: BUS_ARN, roleArn: ROLE_ARN, namePrefix: 'reelay-test-series-' },
    };
    const userId = `series-user-${++userSeq}`;
    const request = (body: unknown, key?: string) => ({
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    });
    const create = async (body: unknown, key?: string, as = userId) =>
      (await answerOf(createSeries(as, request(body, key), deps))) as Answer;
    const seriesBody = (items: number, overrides: Record<string, unknown> = {}) => ({
      name: 'lighthouses',
      template: { prompt: 'the lighthouse of {{prompt}}', scenes: 1, secondsPerScene: 1, resolution: '480p' },
      items: Array.from({ length: items }, (_, i) => ({ prompt: `place ${i + 1}` })),
      schedule: { expression: 'rate(1 day)', timeZone: 'Europe/Paris' },
      dailyQuota: 3,
      ...overrides,
    });
    const createOk = async (items: number, overrides: Record<string, unknown> = {}) => {
      const answer = await create(seriesBody(items, overrides));
      expect(answer.statusCode).toBe(201);
      return JSON.parse(answer.body).seriesId as string;
    };
    const runDue = (seriesId: string, scheduledTime: string) =>
      handleSeriesEvent(
        { type: 'SeriesRunDue', detail: makeSeriesRunDue({ seriesId, userId, scheduledTime }) },
        deps,
      );
    /** The jobs started so far (JobRequested on the bus), in order. */
    const jobs = () => publisher.published;
    const composed = (jobId: string) =>
      handleSeriesEvent({ type: 'VideoComposed', detail: makeVideoComposed({ jobId }) }, deps);
    const failed = (jobId: string) =>
      handleSeriesEvent({ type: 'JobFailed', detail: makeJobFailed({ jobId }) }, deps);
    const episodes = async (seriesId: string) =>
      JSON.parse((await answerOf(listEpisodes(userId, seriesId, deps))).body as string).episodes as Array<{
        itemId: string;
        status: string;
        jobId?: string;
        failure?: string;
        day?: string;
      }>;
    const dayCount = async (seriesId: string, day: string) => {
      const { Item } = await fixture.doc.send(
        new GetCommand({ TableName: fixture.table, Key: { pk: seriesPk(seriesId), sk: daySk(day) } }),
      );
      return Number(Item?.count ?? 0);
    };
    return {
      deps,
      userId,
      create,
      createOk,
      seriesBody,
      runDue,
      jobs,
      composed,
      failed,
      episodes,
      dayCount,
      request,
    };
  }

  it('refuses a schedule the Scheduler refuses, an unknown time zone and an item that leaves a placeholder empty, with 400s naming them', async () => {
    // Prepare
    const { create, seriesBody, deps, userId } = setup();
    // Act
    const badRate = await create(seriesBody(1, { schedule: { expression: 'rate(0 days)' } }));
    const badZone = await create(
      seriesBody(1, { schedule: { expression: 'rate(1 day)', timeZone: 'Mars/Olympus' } }),
    );
    const unfilled = await create(seriesBody(1, { template: { prompt: '{{title}} at dawn' } }));
    const badSpec = await create(seriesBody(1, { template: { prompt: '{{prompt}}', scenes: 99 } }));
    // Assess
    expect(badRate.statusCode).toBe(400);
    expect(JSON.parse(badRate.body).detail).toBe('Invalid Schedule Expression rate(0 days).');
    // Nothing of a series whose schedule was refused stays.
    expect(JSON.parse((await answerOf(listSeries(userId, deps))).body as string).series).toEqual([]);
    expect(badZone.statusCode).toBe(400);
    expect(JSON.parse(badZone.body).errors[0].path).toBe('schedule.timeZone');
    expect(unfilled.statusCode).toBe(400);
    expect(JSON.parse(unfilled.body).detail).toContain('items[0] does not fill the template');
    expect(badSpec.statusCode).toBe(400);
    expect(JSON.parse(badSpec.body).title).toContain('items[0]');
  });

  it('creates one Scheduler schedule per series putting SeriesRunDue on the bus as the scheduler role, in the series zone', async () => {
    // Prepare
    const { createOk } = setup();
    // Act
    const seriesId = await createOk(2);
    const schedule = await scheduler.send(new GetScheduleCommand({ Name: `reelay-test-series-${seriesId}` }));
    // Assess
    expect(schedule).toMatchObject({
      ScheduleExpression: 'rate(1 day)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      State: 'ENABLED',
      Target: {
        Arn: BUS_ARN,
        RoleArn: ROLE_ARN,
        EventBridgeParameters: { DetailType: 'SeriesRunDue', Source: 'reelay.api' },
      },
    });
    expect(JSON.parse(schedule.Target?.Input ?? '{}').scheduledTime).toBe('<aws.scheduler.scheduled-time>');
  });

  it("answers 404 for another user's series, and the same series for a retried Idempotency-Key (422 with another body)", async () => {
    // Prepare
    const { create, seriesBody, deps, userId } = setup();
    const first = await create(seriesBody(1), 'key-1');
    const seriesId = JSON.parse(first.body).seriesId as string;
    // Act
    const replay = await create(seriesBody(1), 'key-1');
    const reused = await create(seriesBody(2), 'key-1');
    const stranger = (await answerOf(getSeries('someone-else', seriesId, deps))) as Answer;
    const owner = (await answerOf(getSeries(userId, seriesId, deps))) as Answer;
    // Assess
    expect(replay.statusCode).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(JSON.parse(replay.body).seriesId).toBe(seriesId);
    expect(reused.statusCode).toBe(422);
    expect(stranger.statusCode).toBe(404);
    expect(owner.statusCode).toBe(200);
  });

  it('makes exactly 3 of 5 items on day one, one after another, and the other 2 the next day, then waits for items', async () => {
    // Prepare
    const { createOk, runDue, jobs, composed, episodes, dayCount, deps, userId } = setup();
    const seriesId = await createOk(5);
    // Act: day one's run, each episode's video ends it and starts the next.
    await runDue(seriesId, DAY_ONE);
    expect(jobs()).toHaveLength(1);
    for (let i = 0; i < 3; i++) await composed(jobs()[i]?.jobId ?? '');
    const afterDayOne = jobs().length;
    await runDue(seriesId, DAY_TWO);
    for (let i = 3; i < 5; i++) await composed(jobs()[i]?.jobId ?? '');
    // Assess
    expect(afterDayOne).toBe(3);
    expect(jobs()).toHaveLength(5);
    expect(await dayCount(seriesId, '2026-12-06')).toBe(3);
    expect(await dayCount(seriesId, '2026-12-07')).toBe(2);
    expect(jobs().map((j) => j.spec.prompt)).toEqual(
      [1, 2, 3, 4, 5].map((n) => `the lighthouse of place ${n}`),
    );
    expect(jobs().every((j) => j.series?.seriesId === seriesId)).toBe(true);
    expect((await episodes(seriesId)).map((e) => e.status)).toEqual(Array(5).fill('COMPLETED'));
    const read = JSON.parse((await answerOf(getSeries(userId, seriesId, deps))).body as string);
    expect(read.state).toBe('waiting-for-items');
  });

  it('starts one episode when a schedule fires twice, and none more when the day is replayed', async () => {
    // Prepare
    const { createOk, runDue, jobs, composed, dayCount } = setup();
    const seriesId = await createOk(5, { dailyQuota: 2 });
    // Act: the run delivered twice at once, then the whole day (run and ends) replayed.
    await Promise.all([runDue(seriesId, DAY_ONE), runDue(seriesId, DAY_ONE)]);
    const afterDuplicate = jobs().length;
    await composed(jobs()[0]?.jobId ?? '');
    await composed(jobs()[1]?.jobId ?? '');
    await runDue(seriesId, DAY_ONE);
    await composed(jobs()[0]?.jobId ?? '');
    await composed(jobs()[1]?.jobId ?? '');
    // Assess
    expect(afterDuplicate).toBe(1);
    expect(jobs()).toHaveLength(2);
    expect(await dayCount(seriesId, '2026-12-06')).toBe(2);
  });

  it('resumes the next episode when the end that claimed it died before starting its job and is delivered again', async () => {
    // Prepare: the second start dies after its claim, before its job (as a crashed invocation would).
    const { createOk, runDue, jobs, composed, episodes, deps } = setup();
    let starts = 0;
    deps.resolveUploads = async () => {
      starts += 1;
      if (starts === 2) throw new Error('the invocation died here');
      return [];
    };
    const seriesId = await createOk(3);
    await runDue(seriesId, DAY_ONE);
    const first = jobs()[0]?.jobId ?? '';
    // Act: the first episode's video ends it and the next start dies; SQS delivers the event again.
    await expect(composed(first)).rejects.toThrow('the invocation died here');
    const stranded = (await episodes(seriesId)).map((e) => e.status);
    const outcome = await composed(first);
    // Assess: the same item started (not a new claim), once.
    expect(stranded).toEqual(['COMPLETED', 'STARTING', 'PENDING']);
    expect(outcome).toBe('started');
    expect(jobs()).toHaveLength(2);
    expect((await episodes(seriesId)).map((e) => e.status)).toEqual(['COMPLETED', 'RUNNING', 'PENDING']);
    expect(await composed(first)).toBe('already-ended');
    expect(jobs()).toHaveLength(2);
  });

  it("reports a failed episode's job on the episode and goes on with the next item", async () => {
    // Prepare
    const { createOk, runDue, jobs, failed, episodes } = setup();
    const seriesId = await createOk(3);
    await runDue(seriesId, DAY_ONE);
    // Act
    await failed(jobs()[0]?.jobId ?? '');
    // Assess
    const [first, second] = await episodes(seriesId);
    expect(first?.status).toBe('FAILED');
    expect(first?.failure).toContain('PREDICTION_FAILED');
    expect(second?.status).toBe('RUNNING');
    expect(jobs()).toHaveLength(2);
  });

  it('never counts more than the quota in a day however many runs and ends race', async () => {
    // Prepare: quota 3 and 8 items; every end delivered three times at once with concurrent runs.
    const { createOk, jobs, composed, dayCount, deps, userId } = setup();
    const seriesId = await createOk(8);
    // Act
    for (let round = 0; round < 5; round++) {
      const ends = jobs().map((job) => job.jobId);
      await Promise.all([
        ...Array.from({ length: 6 }, () => advanceSeries({ userId, seriesId }, '2026-12-06', deps)),
        ...ends.flatMap((jobId) => [composed(jobId), composed(jobId), composed(jobId)]),
      ]);
    }
    // Assess
    // A run that finds an episode claimed but its job not yet marked published starts it again with
    // the same Idempotency-Key (crash recovery), so one job's JobRequested may be published twice, as
    // at-least-once delivery allows; what must hold is three jobs, three items, one count each.
    expect(await dayCount(seriesId, '2026-12-06')).toBe(3);
    expect(new Set(jobs().map((j) => j.jobId)).size).toBe(3);
    expect(new Set(jobs().map((j) => j.series?.itemId)).size).toBe(3);
  });

  it("ends an episode with its last destination's report; a destination's spent quota stops the series for that day and it goes on the next day", async () => {
    // Prepare: episodes publish to one YouTube connection.
    const { createOk, runDue, jobs, composed, episodes, deps, userId } = setup();
    const seriesId = await createOk(4, { destinations: [{ type: 'youtube', connection: 'main' }] });
    const report = (kind: 'published' | 'quota', index: number) => {
      const jobId = jobs()[index]?.jobId ?? '';
      const series = { seriesId, itemId: jobs()[index]?.series?.itemId ?? '' };
      return handleSeriesEvent(
        kind === 'published'
          ? { type: 'VideoPublished', detail: makeVideoPublished({ jobId, userId, series }) }
          : {
              type: 'PublishFailed',
              detail: makePublishFailed({ jobId, userId, series, reason: 'quota-exceeded' }),
            },
        deps,
      );
    };
    await runDue(seriesId, DAY_ONE);
    // Act
    const afterVideo = await composed(jobs()[0]?.jobId ?? '');
    const jobsBeforePublication = jobs().length;
    await report('published', 0);
    await report('published', 0);
    await composed(jobs()[1]?.jobId ?? '');
    const afterQuota = await report('quota', 1);
    const sameDay = await runDue(seriesId, DAY_ONE);
    const nextDay = await runDue(seriesId, DAY_TWO);
    // Assess
    expect(afterVideo).toBe('awaiting-publication');
    expect(jobsBeforePublication).toBe(1);
    expect(afterQuota).toBe('stopped-for-the-day');
    expect(sameDay).toBe('stopped-for-the-day');
    expect(nextDay).toBe('started');
    expect(jobs()).toHaveLength(3);
    const [first, second] = await episodes(seriesId);
    expect(first).toMatchObject({ status: 'COMPLETED', published: [{ destination: 'youtube:main' }] });
    expect(second?.status).toBe('COMPLETED');
  });

  it('ends an episode when its last report is delivered again after the first delivery died past recording it', async () => {
    // Prepare: one destination; the report's first delivery recorded it and died before ending the episode.
    const { createOk, runDue, jobs, composed, episodes, deps, userId } = setup();
    const seriesId = await createOk(3, { destinations: [{ type: 'youtube', connection: 'main' }] });
    await runDue(seriesId, DAY_ONE);
    const jobId = jobs()[0]?.jobId ?? '';
    await composed(jobId);
    const published = makeVideoPublished({ jobId, userId, series: { seriesId, itemId: '000000' } });
    await deps.doc.send(
      new UpdateCommand({
        TableName: fixture.table,
        Key: { pk: seriesPk(seriesId), sk: itemSk('000000') },
        UpdateExpression: 'SET published = :entries ADD reported :key',
        ExpressionAttributeValues: {
          ':entries': [{ destination: 'youtube:main', url: published.url, at: published.meta.occurredAt }],
          ':key': new Set(['youtube:main']),
        },
      }),
    );
    // Act: SQS delivers the report again.
    const outcome = await handleSeriesEvent({ type: 'VideoPublished', detail: published }, deps);
    const again = await handleSeriesEvent({ type: 'VideoPublished', detail: published }, deps);
    // Assess: the episode ended once and the next one started once.
    expect(outcome).toBe('started');
    expect(again).toBe('already-recorded');
    expect(jobs()).toHaveLength(2);
    expect((await episodes(seriesId)).map((e) => e.status)).toEqual(['COMPLETED', 'RUNNING', 'PENDING']);
  });

  it('starts again when items are appended to a series waiting for them, if the day allows', async () => {
    // Prepare: every item made; today (in Paris) is under its quota.
    const { createOk, runDue, jobs, composed, deps, userId, request } = setup();
    const seriesId = await createOk(1, { dailyQuota: 5 });
    await runDue(seriesId, new Date().toISOString());
    await composed(jobs()[0]?.jobId ?? '');
    // Act
    const answer = (await answerOf(
      appendItems(userId, seriesId, request({ items: [{ prompt: 'Cordouan' }] }), deps),
    )) as Answer;
    // Assess
    expect(answer.statusCode).toBe(202);
    expect(JSON.parse(answer.body).run).toBe('started');
    expect(jobs()[1]?.spec.prompt).toBe('the lighthouse of Cordouan');
  });
});
