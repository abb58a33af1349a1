import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmbeddedCloud } from '../../cloud/src/embedded-cloud';
import { runJob } from '../run-job';

/**
 * A scripted stand-in for the local HTTP API (only what runJob calls: POST /jobs, GET /jobs/{id}),
 * so the CLI's reading of each answer is tested without a cloud.
 */
async function scriptedApi(getAnswers: Array<{ status: number; body: unknown }>): Promise<{
  url: string;
  gets: () => number;
  close: () => Promise<void>;
}> {
  let gets = 0;
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && req.url === '/jobs') return reply(202, { jobId: 'job-1' });
    const answer = getAnswers[Math.min(gets++, getAnswers.length - 1)];
    return answer ? reply(answer.status, answer.body) : reply(500, {});
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    gets: () => gets,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

const cloudAt = (api: string) => ({ endpoints: { api }, token: () => 'token' }) as unknown as EmbeddedCloud;
const failed = { jobId: 'job-1', status: 'FAILED', failure: { stage: 'plan', code: 'X', reason: 'x' } };
const timedOut = { status: 502, body: { message: 'local gateway: Task timed out after 10.00 seconds' } };

describe('following a job through GET /jobs/{id}', () => {
  it('polls again after a gateway error (a timed-out invocation) and ends with the job', async () => {
    // Prepare: two timed-out reads, then the job's end.
    const api = await scriptedApi([timedOut, { status: 503, body: {} }, { status: 200, body: failed }]);
    try {
      // Act
      const result = await runJob(cloudAt(api.url), { prompt: 'p' }, { userId: 'u', pollMs: 1 });
      // Assess
      expect(result.record.status).toBe('FAILED');
      expect(api.gets()).toBe(3);
    } finally {
      await api.close();
    }
  });

  it('gives up, naming the answer, when the API keeps failing', async () => {
    const api = await scriptedApi([timedOut]);
    try {
      await expect(runJob(cloudAt(api.url), { prompt: 'p' }, { userId: 'u', pollMs: 1 })).rejects.toThrow(
        /GET \/jobs\/job-1 answered 502: .*Task timed out/,
      );
      expect(api.gets()).toBe(6);
    } finally {
      await api.close();
    }
  });

  it('stops at once on an answer that is not transient', async () => {
    const api = await scriptedApi([{ status: 403, body: { message: 'forbidden' } }]);
    try {
      await expect(runJob(cloudAt(api.url), { prompt: 'p' }, { userId: 'u', pollMs: 1 })).rejects.toThrow(
        /answered 403/,
      );
      expect(api.gets()).toBe(1);
    } finally {
      await api.close();
    }
  });
});
