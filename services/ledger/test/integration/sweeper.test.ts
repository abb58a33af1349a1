import { makeJobRequested } from '@reelay/events';
import { readJobRecord } from '@reelay/job-records';
import { projectEvent } from '../../src/projection/project-event';
import { sweepOverdueJobs } from '../../src/sweeper/sweep-overdue-jobs';
import { at, twoSceneJob } from '../support/job-story';
import { type JobsTableFixture, startJobsTable } from '../support/jobs-table';
import { decoded } from '../support/ledger-events';

let fixture: JobsTableFixture;

beforeAll(async () => {
  fixture = await startJobsTable();
}, 180_000);
afterAll(async () => fixture?.close());

describe('the sweeper', () => {
  test('fails an overdue job exactly once, even when two sweeps run at once, and leaves the others', async () => {
    // Prepare: one overdue job, one within its deadline, one overdue but already completed.
    const table = await fixture.newTable();
    const overdue = twoSceneJob('sweep-user');
    const onTime = makeJobRequested({ meta: overdue.meta(0), deadlineAt: at(7200) });
    const completed = twoSceneJob('sweep-user');
    const project = (event: Parameters<typeof projectEvent>[0]) =>
      projectEvent(event, { doc: fixture.doc, table });
    await project(overdue.requested);
    await project(decoded('JobRequested', onTime));
    await project(completed.requested);
    await project(completed.composed);
    const published: Array<{ jobId: string; stage: string; code: string; retryable: boolean }> = [];
    const deps = {
      doc: fixture.doc,
      table,
      now: () => new Date(at(3600)),
      publisher: {
        publish: async (
          _definition: unknown,
          detail: { jobId: string; stage: string; code: string; retryable: boolean },
        ) => {
          published.push({
            jobId: detail.jobId,
            stage: detail.stage,
            code: detail.code,
            retryable: detail.retryable,
          });
        },
      },
    } as Parameters<typeof sweepOverdueJobs>[0];

    // Act
    const runs = await Promise.all([sweepOverdueJobs(deps), sweepOverdueJobs(deps)]);
    const later = await sweepOverdueJobs(deps);

    // Assess
    expect(published).toEqual([
      { jobId: overdue.jobId, stage: 'timeout', code: 'DEADLINE_EXCEEDED', retryable: false },
    ]);
    expect(runs.flatMap((r) => r.failed)).toEqual([overdue.jobId]);
    expect(later.failed).toEqual([]);
  });

  test('a job leaves the open-jobs index when it finishes, so the sweeper never reads it again', async () => {
    const table = await fixture.newTable();
    const story = twoSceneJob('sweep-user');
    await projectEvent(story.requested, { doc: fixture.doc, table });
    await projectEvent(story.composed, { doc: fixture.doc, table });
    const published: unknown[] = [];

    const result = await sweepOverdueJobs({
      doc: fixture.doc,
      table,
      now: () => new Date(at(999_999)),
      publisher: { publish: async (...args: unknown[]) => void published.push(args) } as never,
    });

    expect(result.failed).toEqual([]);
    expect(published).toEqual([]);
    expect((await readJobRecord(fixture.doc, table, story.jobId))?.status).toBe('COMPLETED');
  });
});
