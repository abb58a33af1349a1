/**
 * `npm run series`                 the user's series: schedule, today's count/quota, next run, state
 * `npm run series -- <seriesId>`   one series and its episodes (item, status, job, day, where published)
 * Talks to the HTTP API of the running `npm run up` (or --api URL) as --user (default local-user).
 */
import { ulidSchema } from '@reelay/events';
import { DevIssuer } from '../cloud/src/dev-issuer';
import { type CommandSpec, helpText, parseCommandLine, UsageError, wantsHelp } from './command-line';
import { type EpisodeView, formatEpisodes, formatSeriesList, type SeriesView } from './series-format';
import { runningApi } from './up-state';

const SERIES_COMMAND: CommandSpec = {
  usage: 'npm run series [-- options] [seriesId]',
  summary:
    "Lists the user's series (schedule, today's count against the daily quota, next run, state), or one\n" +
    'series with its episodes, from the HTTP API of the running `npm run up`. Exit 2 for a wrong command\n' +
    'line or when no API is running.',
  positionals: true,
  options: [
    { name: 'user', type: 'string', value: 'ID', description: 'whose series', default: 'local-user' },
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
    { title: 'every series', command: 'npm run series' },
    { title: 'one series and its episodes', command: 'npm run series -- 01JD3M4Q6Y8Z0A2B4C6D8E0F2G' },
  ],
};

async function getJson<T>(api: string, path: string, headers: Record<string, string>): Promise<T> {
  const res = await fetch(`${api}${path}`, { headers });
  const body = (await res.json()) as T & { detail?: string };
  if (res.status !== 200) throw new Error(body.detail ?? `GET ${path} answered ${res.status}`);
  return body;
}

async function main(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(helpText(SERIES_COMMAND));
    return 0;
  }
  const parsed = parseCommandLine(SERIES_COMMAND, argv);
  const values = { user: 'local-user', json: false, ...parsed.values } as {
    api?: string;
    user: string;
    json: boolean;
  };
  const [seriesId, ...rest] = parsed.positionals;
  if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
  if (seriesId !== undefined && !ulidSchema.safeParse(seriesId).success)
    throw new UsageError(`${seriesId} is not a series id (a ULID)`);
  const api = values.api ?? process.env.REELAY_API_URL ?? runningApi();
  if (!api) throw new UsageError('no local API is running: start one with `npm run up` (or pass --api URL)');
  const headers = { authorization: `Bearer ${DevIssuer.loadOrCreate().token(values.user)}` };
  if (seriesId === undefined) {
    const body = await getJson<{ series: SeriesView[] }>(api, '/series', headers);
    process.stdout.write(values.json ? `${JSON.stringify(body)}\n` : formatSeriesList(body.series));
    return 0;
  }
  const [series, episodes] = await Promise.all([
    getJson<SeriesView>(api, `/series/${seriesId}`, headers),
    getJson<{ episodes: EpisodeView[] }>(api, `/series/${seriesId}/episodes`, headers),
  ]);
  process.stdout.write(
    values.json ? `${JSON.stringify({ series, ...episodes })}\n` : formatEpisodes(series, episodes.episodes),
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    const usage = error instanceof UsageError;
    process.stderr.write(
      `error: ${error.message}\n${usage ? 'see every option: npm run series -- --help\n' : ''}`,
    );
    process.exit(usage ? 2 : 1);
  },
);
