/**
 * `npm run jobs [-- --status S] [--limit N] [--next CURSOR]`   the user's jobs, newest first
 * `npm run jobs -- <jobId>`                                    one job's record and timeline
 * Talks to the HTTP API of the running `npm run up` (or --api URL) as --user (default local-user).
 */
import { parseArgs } from 'node:util';
import { ulidSchema } from '@reelay/events';
import { DevIssuer } from '../cloud/src/dev-issuer';
import { formatJob, formatJobList, type JobListPage, type JobView } from './jobs-format';
import { runningApi } from './up-state';

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      api: { type: 'string' },
      user: { type: 'string', default: 'local-user' },
      status: { type: 'string' },
      limit: { type: 'string' },
      next: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const api = values.api ?? process.env.REELAY_API_URL ?? runningApi();
  if (!api) throw new UsageError('no local API is running: start one with `npm run up` (or pass --api URL)');
  const headers = { authorization: `Bearer ${DevIssuer.loadOrCreate().token(values.user)}` };
  const [jobId, ...rest] = positionals;
  if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
  if (jobId !== undefined) {
    if (!ulidSchema.safeParse(jobId).success) throw new UsageError(`${jobId} is not a job id (a ULID)`);
    const res = await fetch(`${api}/jobs/${jobId}`, { headers });
    const body = (await res.json()) as JobView & { detail?: string };
    if (res.status !== 200) throw new Error(body.detail ?? `GET /jobs/${jobId} answered ${res.status}`);
    process.stdout.write(values.json ? `${JSON.stringify(body)}\n` : formatJob(body));
    return 0;
  }
  const query = new URLSearchParams();
  if (values.status) query.set('status', values.status);
  if (values.limit) query.set('limit', values.limit);
  if (values.next) query.set('next', values.next);
  const res = await fetch(`${api}/jobs${query.size ? `?${query}` : ''}`, { headers });
  const body = (await res.json()) as JobListPage & { detail?: string };
  if (res.status !== 200) throw new Error(body.detail ?? `GET /jobs answered ${res.status}`);
  process.stdout.write(values.json ? `${JSON.stringify(body)}\n` : formatJobList(body));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(error instanceof UsageError || error.name === 'TypeError' ? 2 : 1);
  },
);
