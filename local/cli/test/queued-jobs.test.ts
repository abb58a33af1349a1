import { PassThrough } from 'node:stream';
import { progressReporter } from '../job-progress';
import { formatJob, formatJobList, type JobView } from '../jobs-format';

/** A job the api holds back: the user already runs as many jobs as the limit allows. */
const queuedJob: JobView = {
  jobId: '01JQUEUEDJOB0000000000000A',
  userId: 'local-user',
  status: 'QUEUED',
  createdAt: '2026-12-05T10:00:00.000Z',
  costUsd: 0,
  scenes: [],
  timeline: [],
  durations: {},
  usage: [],
  deadMessages: [],
};

describe('the CLI shows a job waiting for a slot as QUEUED, with what it waits for', () => {
  it('`npm run jobs -- <id>` prints QUEUED and that it starts when a running job ends', () => {
    const text = formatJob(queuedJob);

    expect(text.split('\n')[0]).toBe(`job ${queuedJob.jobId}  QUEUED`);
    expect(text).toContain('queued   waiting for one of your running jobs to end');
  });

  it('`npm run jobs` lists queued jobs as QUEUED and counts them', () => {
    const text = formatJobList({
      jobs: [
        { jobId: '01JQUEUEDJOB0000000000000B', status: 'QUEUED', recipe: 'prompt' },
        { jobId: '01JQUEUEDJOB0000000000000A', status: 'QUEUED', recipe: 'prompt' },
        { jobId: '01JRUNNINGJOB000000000000A', status: 'RENDERING', recipe: 'prompt' },
      ],
    });

    expect(text.split('\n').filter((l) => /\bQUEUED\b/.test(l))).toHaveLength(2);
    expect(text).toContain('2 queued: each starts when one of your running jobs ends, oldest first');
  });

  it("`npm start`'s progress lines say the job is queued and why, then follow it as it starts", () => {
    // Prepare: a pipe, as in CI (plain lines, one per change).
    const stream = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    let written = '';
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => {
      written += chunk.toString();
    });
    const progress = progressReporter(stream);

    progress.update({ status: 'QUEUED', scenes: [] });
    progress.update({ status: 'QUEUED', scenes: [] });
    progress.update({ status: 'REQUESTED', scenes: [] });
    progress.stop();

    expect(written.split('\n').filter(Boolean)).toEqual([
      'job queued: waiting for one of your running jobs to end',
      'job requested',
    ]);
  });
});
