/**
 * The part of `npm start` that needs the cloud: start it, run the job, print the outcome. Imported
 * only once the command line and its files are known good, so a usage error does not wait for the
 * cloud's modules to load (seconds on a busy machine).
 */
import { stageDataFolderPath } from '../cloud/src/data-folder';
import { startEmbeddedCloud } from '../cloud/src/embedded-cloud';
import type { Paint } from './colour';
import { costIsEstimate, costLabel } from './cost-estimate';
import { ledgerProjectionSignal } from './job-changes';
import { progressReporter } from './job-progress';
import { runJob } from './run-job';
import { scenesSummary } from './scene-labels';
import type { StartOptions } from './start-options';
import type { StartupProgress } from './startup-progress';

/** Renders the job the options describe; the exit code: 0 completed, 1 failed. */
export async function renderJob(
  options: StartOptions,
  startup: StartupProgress,
  started: number,
  paint: Paint,
): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // The same data folder as `npm run up` (one of them at a time): the job joins the stage's history.
  const cloud = await startEmbeddedCloud({
    dataDir: options.dataDir ?? stageDataFolderPath('local'),
    fresh: options.fresh,
    onPhase: startup.phase,
    // The functions the last run on this data folder invoked (all of them the first time); the
    // others cold-start if this job needs them.
    warmFunctions: 'used-last-run',
  }).catch((error: unknown) => {
    startup.stop();
    throw error;
  });
  try {
    // Start-up ends when those functions' sandboxes have loaded their handlers (the one-off cost of
    // the local cloud, like deploying with provisioned concurrency), so the job does not share the
    // cores with those loads.
    startup.phase('warming the functions a job uses');
    await cloud.whenWarm();
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
    } else if (record.status === 'CANCELLED') {
      log(`\njob ${record.jobId} ${paint('yellow', 'cancelled')} after ${seconds} s`);
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
