import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmbeddedCloud } from '../../cloud/src/embedded-cloud';
import { formatJob, formatJobList, type JobView } from '../jobs-format';
import { runJob } from '../run-job';

/** A job the user cancelled, as GET /jobs/{id} serves it: CANCELLED is its own outcome, not a failure. */
const cancelledJob: JobView = {
  jobId: '01JCANCELLEDJOB00000000000',
  userId: 'local-user',
  status: 'CANCELLED',
  createdAt: '2026-12-05T10:00:00.000Z',
  cancelledAt: '2026-12-05T10:00:03.000Z',
  failure: { stage: 'cancel', code: 'CANCELLED', reason: 'cancelled by the user', retryable: false },
  costUsd: 0,
  scenes: [],
  timeline: [],
  durations: {},
  usage: [],
  deadMessages: [],
};

/** Serves POST /jobs, then the given GET /jobs/{id} answers in order (the last one again after). */
async function scriptedApi(answers: Array<{ status: number; body: unknown }>) {
  let gets = 0;
  const server: Server = createServer((req, res) => {
    const answer =
      req.method === 'POST' ? { status: 202, body: { jobId: cancelledJob.jobId } } : answers[gets++];
    res.writeHead(answer?.status ?? 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer?.body ?? {}));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    gets: () => gets,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

describe('the CLI shows a cancelled job as CANCELLED, one word wherever it appears', () => {
  it('`npm run jobs -- <id>` heads the job with CANCELLED, not "FAILED (cancelled)"', () => {
    const text = formatJob(cancelledJob);

    expect(text.split('\n')[0]).toBe(`job ${cancelledJob.jobId}  CANCELLED`);
  });

  it('`npm run jobs` lists the status the api gives, CANCELLED included', () => {
    const text = formatJobList({
      jobs: [{ jobId: cancelledJob.jobId, status: 'CANCELLED', recipe: 'prompt' }],
    });

    expect(text).toMatch(new RegExp(`^${cancelledJob.jobId}  CANCELLED `));
  });

  it('`npm start` stops following a job once it reads CANCELLED (it has ended)', async () => {
    // Prepare: the job ends CANCELLED; any further read would be an error the follow does not retry.
    const api = await scriptedApi([{ status: 200, body: cancelledJob }]);
    const cloud = { endpoints: { api: api.url }, token: () => 'token' } as unknown as EmbeddedCloud;
    try {
      // Act
      const result = await runJob(cloud, { prompt: 'p' }, { userId: 'u', pollMs: 1 });

      // Assess
      expect(result.record.status).toBe('CANCELLED');
      expect(api.gets()).toBe(1);
    } finally {
      await api.close();
    }
  });
});
