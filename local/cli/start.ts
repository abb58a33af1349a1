/** `npm start -- "<prompt>" [options]`: renders one job on the embedded local cloud. */
import { startEmbeddedCloud } from '../cloud/src/embedded-cloud';
import { progressReporter } from './job-progress';
import { runJob } from './run-job';
import { parseStartOptions, START_USAGE, UsageError } from './start-options';

async function main(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseStartOptions>;
  try {
    options = parseStartOptions(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n${START_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = Date.now();
  log('starting the embedded local cloud…');
  const cloud = await startEmbeddedCloud();
  log(
    `local cloud ready in ${((Date.now() - started) / 1000).toFixed(1)} s (function logs: ${cloud.logFile})`,
  );
  try {
    const jobStarted = Date.now();
    const result = await runJob(cloud, options.spec, {
      userId: 'local-user',
      progress: progressReporter(),
      uploads: options.uploads,
      ...(options.out ? { out: options.out } : {}),
    });
    const { record } = result;
    const seconds = ((Date.now() - jobStarted) / 1000).toFixed(1);
    if (record.status === 'COMPLETED' && record.output) {
      log(
        `\njob ${record.jobId} completed in ${seconds} s: ${record.output.durationSec.toFixed(2)} s, ${record.output.width}x${record.output.height}, ${record.scenes.length} scenes, cost $${record.costUsd.toFixed(4)}`,
      );
      log(`video:     ${result.video}`);
      log(`thumbnail: ${result.thumbnail}`);
      if (result.captions) log(`captions:  ${result.captions}`);
    } else {
      log(
        `\njob ${record.jobId} failed at ${record.failure?.stage}: ${record.failure?.code}: ${record.failure?.reason}`,
      );
    }
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({
          jobId: record.jobId,
          status: record.status,
          video: result.video ?? null,
          thumbnail: result.thumbnail ?? null,
          captions: result.captions ?? null,
          durationSec: record.output?.durationSec ?? null,
          width: record.output?.width ?? null,
          height: record.output?.height ?? null,
          scenes: record.scenes.length,
          costUsd: record.costUsd,
          failure: record.failure ?? null,
          timeline: record.timeline,
        })}\n`,
      );
    }
    return record.status === 'COMPLETED' ? 0 : 1;
  } finally {
    await cloud.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(1);
  },
);
