/**
 * npm run redrive -- <queue>            a DLQ back to its source (StartMessageMoveTask), or the events
 *                                       of an EventBridge target DLQ to the target that missed them
 * npm run redrive -- --job <jobId>      the dead messages the ledger kept for a job, to their queues
 * Uses the AWS SDK default configuration: AWS, or the embedded cloud via AWS_ENDPOINT_URL_*.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { ulidSchema } from '@reelay/events';
import { dynamoDocumentClient } from '@reelay/lambda';
import { parseCliArgs, runCli, UsageError } from './src/cli-options';
import { redriveJobDeadMessages } from './src/redrive-job';
import { redriveQueue } from './src/redrive-queue';

void runCli(async () => {
  const { values, positionals } = parseCliArgs(process.argv.slice(2), {
    job: { type: 'string' },
    stage: { type: 'string', default: process.env.STAGE ?? 'dev' },
    table: { type: 'string' },
  });
  const sqs = new SQSClient({});
  if (values.job !== undefined) {
    if (positionals.length > 0) throw new UsageError('give either a queue or --job, not both');
    if (!ulidSchema.safeParse(values.job).success)
      throw new UsageError(`--job ${values.job} is not a job id (a ULID)`);
    const result = await redriveJobDeadMessages(values.job, {
      doc: dynamoDocumentClient(),
      sqs,
      table: values.table ?? `reelay-jobs-${values.stage}`,
    });
    process.stdout.write(
      `job ${result.jobId}: ${result.sent.length} dead message(s) sent back` +
        `${result.sent.map((s) => `\n  ${s.deadLetterQueue} -> ${s.redriveTo}`).join('')}` +
        `${result.skipped.map((s) => `\n  skipped one in ${s.deadLetterQueue}: ${s.why}`).join('')}\n`,
    );
    return;
  }
  const [queue, ...rest] = positionals;
  if (!queue) throw new UsageError('give the DLQ to redrive (name, URL or ARN), or --job <jobId>');
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  const result = await redriveQueue(sqs, queue);
  process.stdout.write(
    result.kind === 'message-move-task'
      ? `${result.queue}: message move task started back to ${result.sources.join(', ')} (${result.taskHandle})\n`
      : `${result.queue}: ${result.moved} event(s) sent to the target that missed them${Object.entries(
          result.targets,
        )
          .map(([t, n]) => `\n  ${t}: ${n}`)
          .join('')}${result.left ? `\n  ${result.left} left in place (their target is not a queue)` : ''}\n`,
  );
});
