/**
 * npm run replay -- --from <time> --to <time> [--rule <name>]... [--stage S] [--aws] [--bus B] [--archive A]
 * Starts an EventBridge replay of the bus archive on the running `npm run up` or AWS (src/ops-target.ts)
 * and prints what it did, then one JSON line.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { type CommandSpec, helpText, parseCommandLine, wantsHelp } from '../cli/command-line';
import { runningUp } from '../cli/up-state';
import { startArchiveReplay } from './src/archive-replay';
import { joinRelativeTimes, parseTime, runCli } from './src/cli-options';
import { TARGET_OPTIONS, TARGET_SUMMARY } from './src/ops-command';
import { clientConfig, describeTarget, replayInAws, resolveOpsTarget } from './src/ops-target';

export const REPLAY_COMMAND: CommandSpec = {
  usage: 'npm run replay -- --from TIME --to TIME [options]',
  summary: `Replays the events the bus archive kept over [from, to) onto the bus, to every rule or some.\n${TARGET_SUMMARY}`,
  options: [
    {
      name: 'from',
      type: 'string',
      value: 'TIME',
      description: 'start of the window: ISO 8601 or relative (-30m, -2h, -1d)',
    },
    {
      name: 'to',
      type: 'string',
      value: 'TIME',
      description: 'end of the window; on AWS at least 10 minutes ago',
    },
    { name: 'rule', type: 'string', value: 'NAME', multiple: true, description: 'replay only to this rule' },
    ...TARGET_OPTIONS,
    { name: 'bus', type: 'string', value: 'B', description: 'the event bus', default: 'reelay-<stage>' },
    {
      name: 'archive',
      type: 'string',
      value: 'A',
      description: 'the archive',
      default: 'reelay-<stage>-archive',
    },
  ],
  examples: [
    { title: 'local', command: 'npm run replay -- --from -30m --to -1m' },
    {
      title: 'AWS',
      command: 'AWS_REGION=eu-west-1 npm run replay -- --aws --stage prod --from -2h --to -15m',
    },
  ],
};

void runCli(async () => {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(helpText(REPLAY_COMMAND));
    return;
  }
  const { values } = parseCommandLine(REPLAY_COMMAND, joinRelativeTimes(argv, ['--from', '--to']));
  const v = values as {
    from?: string;
    to?: string;
    rule?: string[];
    stage?: string;
    aws?: boolean;
    bus?: string;
    archive?: string;
  };
  const from = parseTime('--from', v.from);
  const to = parseTime('--to', v.to);
  const target = resolveOpsTarget({ stage: v.stage, aws: v.aws === true, up: runningUp() });
  process.stderr.write(`${describeTarget(target)}\n`);
  const result = await startArchiveReplay(new EventBridgeClient(clientConfig(target, 'events')), {
    bus: v.bus ?? `reelay-${target.stage}`,
    archive: v.archive ?? `reelay-${target.stage}-archive`,
    from,
    to,
    rules: v.rule ?? [],
    inAws: replayInAws(target),
  });
  process.stdout.write(
    `replay ${result.replayName} of ${result.from} .. ${result.to} to ${result.rules.length ? result.rules.join(', ') : 'every rule'}: ${result.state}` +
      `${result.archiveEventCount === undefined ? '' : ` (archive holds ${result.archiveEventCount} events)`}\n`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (result.state !== 'COMPLETED') process.exitCode = 1;
}, 'npm run replay -- --help');
