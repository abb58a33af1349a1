/** `npm start -- "<prompt>" [options]`: renders one job on the embedded local cloud. */

import { stageDataFolderPath } from '../cloud/src/data-folder';
import { startEmbeddedCloud } from '../cloud/src/embedded-cloud';
import { whenAllWarm } from '../cloud/src/lambda/warm-up';
import { paintFor } from './colour';
import { wantsHelp } from './command-line';
import { costIsEstimate, costLabel } from './cost-estimate';
import { ledgerProjectionSignal } from './job-changes';
import { progressReporter } from './job-progress';
import { checkLocalFiles } from './local-files';
import { runJob } from './run-job';
import { scenesSummary } from './scene-labels';
import { parseStartOptions, START_HELP, START_USAGE, UsageError } from './start-options';
import { startupProgress } from './startup-progress';

/** Colour on a terminal only: the summary and errors go to stderr. */
const paint = paintFor(process.stderr);

async function main(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(START_HELP);
    return 0;
  }
  let options: ReturnType<typeof parseStartOptions>;
  try {
    options = parseStartOptions(argv);
    // Before the cloud starts: a wrong path is a usage error within a second, not after start-up.
    checkLocalFiles(options);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${paint('red', 'error:')} ${error.message}\n${START_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = Date.now();
  const startup = startupProgress();
  // The same data folder as `npm run up` (one of them at a time): the job joins the stage's history.
  const cloud = await startEmbeddedCloud({
    dataDir: options.dataDir ?? stageDataFolderPath('local'),
    fresh: options.fresh,
    onPhase: startup.phase,
  }).catch((error: unknown) => {
    startup.stop();
    throw error;
  });
  try {
    // Start-up ends when every function's sandbox has loaded its handler (the one-off cost of the
    // local cloud, like deploying with provisioned concurrency), so the job does not share the
    // cores with those loads.
    startup.phase(`warming ${cloud.functions.size} functions`);
    await whenAllWarm(cloud.functions.values());
    const startupSec = (Date.now() - started) / 1000;
    startup.ready(`local cloud ready in ${startupSec.toFixed(1)} s (function logs: ${cloud.logFile})`);
    const result = await runJob(cloud, options.spec, {
      userId: 'local-user',
      progress: progressReporter(),
      uploads: options.uploads,
      changes: ledgerProjectionSignal(cloud),
      ...(options.out ? { out: options.out } : {}),
    });
    const { record, timings } = result;
    const jobSec = (timings.downloadedAt - timings.submittedAt) / 1000;
    const seconds = jobSec.toFixed(1);
    if (record.status === 'COMPLETED' && record.output) {
      log(
        `\njob ${record.jobId} ${paint('green', 'completed')} in ${seconds} s (submitted → files downloaded; start-up before it ${startupSec.toFixed(1)} s): ${record.output.durationSec.toFixed(2)} s, ${record.output.width}x${record.output.height}, ${scenesSummary(record.scenes)}, cost ${costLabel(record)}`,
      );
      log(`video:     ${result.video}`);
      log(`thumbnail: ${result.thumbnail}`);
      if (result.captions) log(`captions:  ${result.captions}`);
    } else {
      log(
        `\njob ${record.jobId} ${paint('red', 'failed')} at ${record.failure?.stage}: ${record.failure?.code}: ${record.failure?.reason}`,
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
          // True when the local model server rendered it: costUsd is what Replicate would charge.
          costEstimated: costIsEstimate(record),
          failure: record.failure ?? null,
          timings: { startupSec, jobSec },
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
    process.stderr.write(`${paint('red', 'error:')} ${error.message}\n`);
    process.exit(1);
  },
);
