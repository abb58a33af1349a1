import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type DecodedEvent, makeScenePlanned } from '@reelay/events';
import { JOB_SK, jobPk, readJobRecord, readUserDailyUsage } from '@reelay/job-records';
import type { LedgerEvents } from '../../src/projection/ledger-events';
import { projectEvent } from '../../src/projection/project-event';
import { at, deadLetterFailure, type JobStory, twoSceneJob } from '../support/job-story';
import { type JobsTableFixture, startJobsTable } from '../support/jobs-table';
import { decoded } from '../support/ledger-events';

let fixture: JobsTableFixture;
const projectedAt = new Date('2026-11-23T12:00:00.000Z');

beforeAll(async () => {
  fixture = await startJobsTable();
}, 180_000);
afterAll(async () => fixture?.close());

async function projectAll(table: string, events: DecodedEvent<LedgerEvents>[]) {
  for (const event of events) await projectEvent(event, { doc: fixture.doc, table, now: () => projectedAt });
}

const inOrder = (s: JobStory) => [s.requested, ...s.planned, ...s.ready, s.composed];

describe('the job record', () => {
  test('events in any order, duplicated or not, converge to the same record', async () => {
    // Prepare
    const story = twoSceneJob();
    const [ready0, ready1] = story.ready as [DecodedEvent<LedgerEvents>, DecodedEvent<LedgerEvents>];
    const orders = {
      natural: inOrder(story),
      reversed: [...inOrder(story)].reverse(),
      composedBeforeLastScene: [story.requested, ...story.planned, ready0, story.composed, ready1],
      sceneReadyBeforeRequested: [ready1, ready0, story.requested, story.composed, ...story.planned],
      everythingTwice: [...inOrder(story), ...inOrder(story)],
    };

    // Act
    const records: Record<string, unknown> = {};
    for (const [name, events] of Object.entries(orders)) {
      const table = await fixture.newTable();
      await projectAll(table, events);
      records[name] = await readJobRecord(fixture.doc, table, story.jobId);
    }

    // Assess
    for (const name of Object.keys(orders))
      expect({ name, record: records[name] }).toEqual({ name, record: records.natural });
    expect(records.natural).toMatchObject({
      status: 'COMPLETED',
      sceneCount: 2,
      costUsd: 0.55,
      createdAt: at(0),
      completedAt: at(50),
      durations: { queuedToPlannedSec: 2, plannedToRenderedSec: 38, renderedToComposedSec: 10, totalSec: 50 },
      scenes: [
        { sceneIndex: 0, status: 'ready', attempts: 2, costUsd: 0.3, predictions: 2 },
        { sceneIndex: 1, status: 'ready', attempts: 1, costUsd: 0.25, predictions: 1 },
      ],
    });
  });

  test('a late or replayed event never moves a finished job back', async () => {
    const table = await fixture.newTable();
    const story = twoSceneJob();
    await projectAll(table, inOrder(story));

    await projectAll(table, [story.requested, ...story.planned, ...story.ready]);

    expect((await readJobRecord(fixture.doc, table, story.jobId))?.status).toBe('COMPLETED');
  });

  test('each prediction is charged once to the scene, the job and the user-day, whatever reports it again', async () => {
    const table = await fixture.newTable();
    const story = twoSceneJob('user-charges');
    const failedLater = deadLetterFailure(story, 60, {
      code: 'PREDICTION_FAILED',
      retryable: false,
      sceneIndex: 0,
      predictions: [
        { predictionId: `${story.jobId}-p0a`, attempt: 1, status: 'failed', costUsd: 0.1 },
        { predictionId: `${story.jobId}-p0c`, attempt: 3, status: 'failed', costUsd: 0.05 },
      ],
    });

    await projectAll(table, [...inOrder(story), ...story.ready, failedLater, failedLater]);

    const record = await readJobRecord(fixture.doc, table, story.jobId);
    expect(record?.costUsd).toBe(0.6);
    expect(record?.usage.map((u) => u.predictionId)).toEqual(
      [`${story.jobId}-p0a`, `${story.jobId}-p0b`, `${story.jobId}-p0c`, `${story.jobId}-p1a`].sort(),
    );
    expect(await readUserDailyUsage(fixture.doc, table, 'user-charges', '2026-11-23')).toEqual({
      userId: 'user-charges',
      day: '2026-11-23',
      costUsd: 0.6,
      predictions: 4,
    });
  });

  test("the planning model's prediction is charged once to the job and the user-day, not to a scene", async () => {
    const table = await fixture.newTable();
    const story = twoSceneJob('user-planning');
    const plannedWithCost = decoded(
      'ScenePlanned',
      makeScenePlanned({
        jobId: story.jobId,
        meta: story.meta(2),
        sceneIndex: 0,
        sceneCount: 2,
        durationSec: 1,
        planner: 'model',
        planning: [{ predictionId: `${story.jobId}-plan`, attempt: 1, status: 'succeeded', costUsd: 0.01 }],
      }),
    );

    await projectAll(table, [...inOrder(story), plannedWithCost, plannedWithCost]);

    const record = await readJobRecord(fixture.doc, table, story.jobId);
    expect(record?.costUsd).toBeCloseTo(0.56, 10);
    expect(record?.usage.find((u) => u.predictionId === `${story.jobId}-plan`)).toMatchObject({
      costUsd: 0.01,
      status: 'succeeded',
    });
    expect(record?.usage.find((u) => u.predictionId === `${story.jobId}-plan`)?.sceneIndex).toBeUndefined();
    expect(record?.scenes.map((scene) => scene.costUsd)).toEqual([0.3, 0.25]);
    expect(await readUserDailyUsage(fixture.doc, table, 'user-planning', '2026-11-23')).toMatchObject({
      predictions: 4,
    });
  });

  test('a job failed by a dead letter keeps the message, and completes when the redriven work does', async () => {
    const table = await fixture.newTable();
    const story = twoSceneJob();
    await projectAll(table, [
      story.requested,
      ...story.planned,
      ...story.ready,
      deadLetterFailure(story, 45),
    ]);
    const failed = await readJobRecord(fixture.doc, table, story.jobId);

    await projectAll(table, [story.composed, deadLetterFailure(story, 45)]);

    expect(failed).toMatchObject({
      status: 'FAILED',
      failure: { stage: 'prepare', code: 'DEAD_LETTER', retryable: true, attempts: 4, sceneIndex: 1 },
      deadMessages: [
        {
          deadLetterQueue: 'reelay-test-composer-prepare-dlq',
          redriveTo: 'reelay-test-composer-prepare',
          stage: 'prepare',
        },
      ],
    });
    const recovered = await readJobRecord(fixture.doc, table, story.jobId);
    expect(recovered).toMatchObject({ status: 'COMPLETED', recoveredFailure: { code: 'DEAD_LETTER' } });
    expect(recovered?.failure).toBeUndefined();
    expect(recovered?.deadMessages).toHaveLength(1);
    // The body is internal (kept for the redrive); the record the api serves says where and when.
    expect(recovered?.deadMessages[0]).not.toHaveProperty('body');
  });

  test('a cancelled job stays CANCELLED and a permanently failed one FAILED even if its video arrives', async () => {
    const table = await fixture.newTable();
    const cancelled = twoSceneJob();
    const permanent = twoSceneJob();
    await projectAll(table, [
      cancelled.requested,
      deadLetterFailure(cancelled, 45),
      deadLetterFailure(cancelled, 46, { stage: 'cancel', code: 'CANCELLED', retryable: false }),
      cancelled.composed,
      permanent.requested,
      deadLetterFailure(permanent, 45, { code: 'MEDIA_REFUSED', retryable: false }),
      permanent.composed,
    ]);

    expect((await readJobRecord(fixture.doc, table, cancelled.jobId))?.status).toBe('CANCELLED');
    expect((await readJobRecord(fixture.doc, table, permanent.jobId))?.status).toBe('FAILED');
  });

  test('a terminal event that happened first decides the outcome, whichever order they arrive in', async () => {
    // Prepare: a video composed at 50 s; a timeout swept at 55 s; a cancel sent at 48 s.
    const table = await fixture.newTable();
    const timeout = (story: JobStory) =>
      deadLetterFailure(story, 55, { stage: 'timeout', code: 'DEADLINE_EXCEEDED', retryable: false });
    const cancel = (story: JobStory) =>
      deadLetterFailure(story, 48, { stage: 'cancel', code: 'CANCELLED', retryable: false });
    const outcomeOf = async (terminal: (story: JobStory) => DecodedEvent<LedgerEvents>[]) => {
      const story = twoSceneJob();
      await projectAll(table, [story.requested, ...story.planned, ...story.ready, ...terminal(story)]);
      const record = await readJobRecord(fixture.doc, table, story.jobId);
      return { status: record?.status, stage: record?.failure?.stage, completedAt: record?.completedAt };
    };

    // Act
    const outcomes = {
      timeoutFirst: await outcomeOf((s) => [timeout(s), s.composed]),
      videoFirst: await outcomeOf((s) => [s.composed, timeout(s)]),
      cancelFirst: await outcomeOf((s) => [cancel(s), s.composed]),
      cancelSecond: await outcomeOf((s) => [s.composed, cancel(s)]),
    };

    // Assess
    const completed = { status: 'COMPLETED', stage: undefined, completedAt: at(50) };
    const cancelled = { status: 'CANCELLED', stage: 'cancel', completedAt: undefined };
    expect(outcomes).toEqual({
      timeoutFirst: completed,
      videoFirst: completed,
      cancelFirst: cancelled,
      cancelSecond: cancelled,
    });
  });

  test('a job that failed by a dead letter before outcome keys existed still completes when its redriven work does', async () => {
    // Prepare: the JOB item as the ledger wrote it before this rule (no outcomeKey, failureRedrivable).
    const table = await fixture.newTable();
    const story = twoSceneJob();
    const permanent = twoSceneJob();
    await projectAll(table, [story.requested, permanent.requested]);
    const endedWithoutKey = (jobId: string, redrivable: boolean) =>
      fixture.doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: jobPk(jobId), sk: JOB_SK },
          UpdateExpression:
            'SET #s = :failed, statusRank = :nine, failure = :failure, failedAt = :at, failureRedrivable = :r REMOVE openShard, openDeadlineAt',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':failed': 'FAILED',
            ':nine': 9,
            ':failure': {
              stage: 'prepare',
              code: redrivable ? 'DEAD_LETTER' : 'MEDIA_REFUSED',
              reason: 'x',
              retryable: redrivable,
            },
            ':at': at(45),
            ':r': redrivable,
          },
        }),
      );
    await endedWithoutKey(story.jobId, true);
    await endedWithoutKey(permanent.jobId, false);

    // Act
    await projectAll(table, [story.composed, permanent.composed]);

    // Assess
    expect(await readJobRecord(fixture.doc, table, story.jobId)).toMatchObject({
      status: 'COMPLETED',
      recoveredFailure: { code: 'DEAD_LETTER' },
    });
    expect((await readJobRecord(fixture.doc, table, permanent.jobId))?.status).toBe('FAILED');
  });
});
