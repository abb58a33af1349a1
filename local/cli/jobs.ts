/**
 * `npm run jobs [-- --status S] [--limit N] [--next CURSOR]`   the user's jobs, newest first
 * `npm run jobs -- <jobId>`                                    one job's record and timeline
 * Talks to the HTTP API of the running `npm run up` (or --api URL) as --user (default local-user).
 */
import { ulidSchema } from '@reelay/events';
import { DevIssuer } from '../cloud/src/dev-issuer';
import { type CommandSpec, helpText, parseCommandLine, UsageError, wantsHelp } from './command-line';
import { formatJob, formatJobList, type JobListPage, type JobView } from './jobs-format';
import { runningApi } from './up-state';

const JOBS_COMMAND: CommandSpec = {
  usage: 'npm run jobs [-- options] [jobId]',
  summary:
    "Lists the user's jobs, newest first, or shows one job's record and timeline, from the HTTP API of\n" +
    'the running `npm run up`. Exit 2 for a wrong command line or when no API is running.',
  positionals: true,
  options: [
    {
      name: 'status',
      type: 'string',
      value: 'S',
      description: 'only jobs in this status, e.g. COMPLETED',
      default: 'every status',
    },
    {
      name: 'limit',
      type: 'string',
      value: 'N',
      description: 'jobs per page',
      default: "the api's page size",
    },
    {
      name: 'next',
      type: 'string',
      value: 'CURSOR',
      description: 'the next page, as the previous page printed it',
    },
    { name: 'user', type: 'string', value: 'ID', description: 'whose jobs', default: 'local-user' },
    {
      name: 'api',
      type: 'string',
      value: 'URL',
      description: 'another API (or REELAY_API_URL)',
      default: 'the running npm run up',
    },
    { name: 'json', type: 'boolean', description: "print the api's JSON answer as it is" },
  ],
  examples: [
    { title: 'every job', command: 'npm run jobs' },
    { title: 'failed ones', command: 'npm run jobs -- --status FAILED --limit 5' },
    { title: 'one job', command: 'npm run jobs -- 01JD3M4Q6Y8Z0A2B4C6D8E0F2G' },
  ],
};

async function main(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(helpText(JOBS_COMMAND));
    return 0;
  }
  const parsed = parseCommandLine(JOBS_COMMAND, argv);
  const positionals = parsed.positionals;
  const values = { user: 'local-user', json: false, ...parsed.values } as {
    api?: string;
    user: string;
    status?: string;
    limit?: string;
    next?: string;
    json: boolean;
  };
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
    const usage = error instanceof UsageError;
    process.stderr.write(
      `error: ${error.message}\n${usage ? 'see every option: npm run jobs -- --help\n' : ''}`,
    );
    process.exit(usage ? 2 : 1);
  },
);
