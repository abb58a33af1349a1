/**
 * npm run replay -- --from <time> --to <time> [--rule <name>]... [--stage S] [--bus B] [--archive A]
 * Starts an EventBridge replay of the bus archive (AWS, or the embedded cloud through the
 * AWS_ENDPOINT_URL_* variables) and prints what it did as one JSON line.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { startArchiveReplay } from './src/archive-replay';
import { parseCliArgs, parseTime, runCli, talksToAws, UsageError } from './src/cli-options';

void runCli(async () => {
  const { values, positionals } = parseCliArgs(process.argv.slice(2), {
    from: { type: 'string' },
    to: { type: 'string' },
    rule: { type: 'string', multiple: true },
    stage: { type: 'string', default: process.env.STAGE ?? 'dev' },
    bus: { type: 'string' },
    archive: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const stage = String(values.stage);
  const result = await startArchiveReplay(new EventBridgeClient({}), {
    bus: values.bus ?? `reelay-${stage}`,
    archive: values.archive ?? `reelay-${stage}-archive`,
    from: parseTime('--from', values.from),
    to: parseTime('--to', values.to),
    rules: values.rule ?? [],
    inAws: talksToAws(),
  });
  process.stdout.write(
    `replay ${result.replayName} of ${result.from} .. ${result.to} to ${result.rules.length ? result.rules.join(', ') : 'every rule'}: ${result.state}` +
      `${result.archiveEventCount === undefined ? '' : ` (archive holds ${result.archiveEventCount} events)`}\n`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (result.state !== 'COMPLETED') process.exitCode = 1;
});
