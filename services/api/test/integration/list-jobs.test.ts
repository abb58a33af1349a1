import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { JOB_SK, jobPk } from '@reelay/job-records';
import { listJobs } from '../../src/jobs/list-jobs';
import { type SubmitJobDeps, submitJob } from '../../src/jobs/submit-job';
import { type ApiTableFixture, RecordingPublisher, startApiTable } from '../support/api-table';
import { answerOf } from '../support/http-answer';

interface Page {
  jobs: Array<{ jobId: string; status: string; prompt?: string }>;
  next?: string;
}

describe('GET /jobs: newest first, cursor pagination and a status filter', () => {
  let fixture: ApiTableFixture;
  const jobsTable = 'reelay-jobs-list-test';
  const userId = 'lister';
  const ids: string[] = [];

  beforeAll(async () => {
    fixture = await startApiTable();
    await fixture.createTable(jobsTable);
    const deps: SubmitJobDeps = {
      doc: fixture.doc,
      table: fixture.table,
      publisher: new RecordingPublisher(),
      quota: { unit: 'jobs', perDay: 100 },
      resolveUploads: async () => [],
    };
    const t = Date.parse('2026-11-23T10:00:00Z');
    for (let i = 0; i < 5; i++) {
      const res = (await submitJob(
        userId,
        { body: JSON.stringify({ prompt: `job ${i}` }) },
        { ...deps, now: () => new Date(t + i * 1000) },
      )) as {
        body: string;
      };
      ids.push(JSON.parse(res.body).jobId);
    }
    await submitJob('someone-else', { body: JSON.stringify({ prompt: 'not yours' }) }, deps);
    // The ledger has projected two of them as COMPLETED.
    for (const id of [ids[1], ids[3]]) {
      await fixture.doc.send(
        new PutCommand({
          TableName: jobsTable,
          Item: { pk: jobPk(String(id)), sk: JOB_SK, userId, status: 'COMPLETED' },
        }),
      );
    }
  }, 120_000);
  afterAll(async () => fixture?.close());

  const list = async (query: Record<string, string>) => {
    const res = (await answerOf(
      listJobs(userId, query, { doc: fixture.doc, table: fixture.table, jobsTable }),
    )) as {
      statusCode: number;
      body: string;
    };
    return { status: res.statusCode, page: JSON.parse(res.body) as Page };
  };

  it('pages through every job of the caller, newest first, with `next`', async () => {
    const first = await list({ limit: '2' });
    const second = await list({ limit: '2', next: String(first.page.next) });
    const third = await list({ limit: '2', next: String(second.page.next) });

    const seen = [...first.page.jobs, ...second.page.jobs, ...third.page.jobs].map((j) => j.jobId);
    expect(seen).toEqual([...ids].reverse());
    expect(third.page.next).toBeUndefined();
  });

  it('filters by status across pages', async () => {
    const first = await list({ limit: '1', status: 'COMPLETED' });
    const second = await list({ limit: '1', status: 'COMPLETED', next: String(first.page.next) });
    const requested = await list({ status: 'REQUESTED' });

    expect([...first.page.jobs, ...second.page.jobs].map((j) => j.jobId)).toEqual([ids[3], ids[1]]);
    expect(second.page.next).toBeUndefined();
    expect(requested.page.jobs.map((j) => j.jobId)).toEqual([ids[4], ids[2], ids[0]]);
  });

  it('refuses a forged cursor, an unknown status and an out-of-range limit with 400 naming the parameter', async () => {
    const forged = await list({ next: Buffer.from('{"after":"../../etc"}').toString('base64url') });
    const status = await list({ status: 'DONE' });
    const limit = await list({ limit: '1000' });

    expect([forged.status, status.status, limit.status]).toEqual([400, 400, 400]);
    expect(JSON.stringify(forged.page)).toMatch(/next/);
    expect(JSON.stringify(status.page)).toMatch(/status/);
    expect(JSON.stringify(limit.page)).toMatch(/limit/);
  });
});
