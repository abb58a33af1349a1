/** `npm start -- "<prompt>" [options]`: renders one job on the embedded local cloud. */

import { paintFor } from './colour';
import { wantsHelp } from './command-line';
import { checkLocalFiles } from './local-files';
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
  const started = Date.now();
  const startup = startupProgress();
  startup.phase('loading the local cloud');
  const { renderJob } = await import('./start-run').catch((error: unknown) => {
    startup.stop();
    throw error;
  });
  return renderJob(options, startup, started, paint);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${paint('red', 'error:')} ${error.message}\n`);
    process.exit(1);
  },
);
