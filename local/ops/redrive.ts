/**
 * npm run redrive -- <queue>            a DLQ back to its source (StartMessageMoveTask), or the events
 *                                       of an EventBridge target DLQ to the target that missed them
 * npm run redrive -- --job <jobId>      the dead messages the ledger kept for a job, to their queues
 * Acts on the running `npm run up` or AWS (src/ops-target.ts) and says which first.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulidSchema } from '@reelay/events';
import { type CommandSpec, helpText, parseCommandLine, wantsHelp } from '../cli/command-line';
import { runningUp } from '../cli/up-state';
import { runCli, UsageError } from './src/cli-options';
import { TARGET_OPTIONS, TARGET_SUMMARY } from './src/ops-command';
import { clientConfig, describeTarget, resolveOpsTarget } from './src/ops-target';
import { redriveJobDeadMessages } from './src/redrive-job';
import { redriveQueue } from './src/redrive-queue';

export const REDRIVE_COMMAND: CommandSpec = {
  usage: 'npm run redrive -- <queue> [options]   |   npm run redrive -- --job <jobId> [options]',
  summary:
    'Sends dead messages back: a whole DLQ (name, URL or ARN) to its source queue, or the events of\n' +
    'a rule-target DLQ to the target that missed them; or, with --job, the dead messages the ledger\nkept for one job.\n' +
    TARGET_SUMMARY,
  positionals: true,
  options: [
    { name: 'job', type: 'string', value: 'ID', description: "redrive this job's dead messages (a ULID)" },
    ...TARGET_OPTIONS,
    {
      name: 'table',
      type: 'string',
      value: 'T',
      description: 'the jobs table',
      default: 'reelay-jobs-<stage>',
    },
  ],
  examples: [
    { title: 'a job', command: 'npm run redrive -- --job <jobId>' },
    { title: 'a DLQ', command: 'npm run redrive -- reelay-local-composer-compose-dlq' },
    {
      title: 'on AWS',
      command: 'AWS_REGION=eu-west-1 npm run redrive -- --aws --stage prod reelay-prod-composer-compose-dlq',
    },
  ],
};

void runCli(async () => {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(helpText(REDRIVE_COMMAND));
    return;
  }
  const { values, positionals } = parseCommandLine(REDRIVE_COMMAND, argv);
  const v = values as { job?: string; stage?: string; aws?: boolean; table?: string };
  const [queue, ...rest] = positionals;
  if (v.job !== undefined) {
    if (positionals.length > 0) throw new UsageError('give either a queue or --job, not both');
    if (!ulidSchema.safeParse(v.job).success) throw new UsageError(`--job ${v.job} is not a job id (a ULID)`);
  } else {
    if (!queue) throw new UsageError('give the DLQ to redrive (name, URL or ARN), or --job <jobId>');
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  }
  const target = resolveOpsTarget({ stage: v.stage, aws: v.aws === true, up: runningUp() });
  process.stderr.write(`${describeTarget(target)}\n`);
  const sqs = new SQSClient(clientConfig(target, 'sqs'));
  if (v.job !== undefined) {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(target, 'dynamodb')), {
      marshallOptions: { removeUndefinedValues: true },
    });
    const result = await redriveJobDeadMessages(v.job, {
      doc,
      sqs,
      table: v.table ?? `reelay-jobs-${target.stage}`,
    });
    process.stdout.write(
      `job ${result.jobId}: ${result.sent.length} dead message(s) sent back` +
        `${result.sent.map((s) => `\n  ${s.deadLetterQueue} -> ${s.redriveTo}`).join('')}` +
        `${result.skipped.map((s) => `\n  skipped one in ${s.deadLetterQueue}: ${s.why}`).join('')}\n`,
    );
    return;
  }
  const result = await redriveQueue(sqs, String(queue));
  process.stdout.write(
    result.kind === 'message-move-task'
      ? `${result.queue}: message move task started back to ${result.sources.join(', ')} (${result.taskHandle})\n`
      : `${result.queue}: ${result.moved} event(s) sent to the target that missed them${Object.entries(
          result.targets,
        )
          .map(([t, n]) => `\n  ${t}: ${n}`)
          .join('')}${result.left ? `\n  ${result.left} left in place (their target is not a queue)` : ''}\n`,
  );
}, 'npm run redrive -- --help');
