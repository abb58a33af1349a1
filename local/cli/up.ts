/**
 * `npm run up [-- --json] [-- --user <id>] [-- --fresh] [-- --data-dir <dir>]`: starts the embedded cloud,
 * its HTTP API and the web console on 127.0.0.1 and keeps them running until Ctrl-C. With --json, prints
 * one JSON line once ready. Everything the cloud stores is kept in its data folder (`.reelay/data/local/`
 * unless --data-dir names another), so a restart, even after kill -9, resumes where it stopped; --fresh
 * starts empty. `REELAY_FUNCTION_ENV` (a JSON object) adds environment to every function, for tests.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandSpec, helpText, parseCommandLine, UsageError, wantsHelp } from './command-line';
import { DATA_FOLDER_OPTIONS } from './data-folder-options';
import { startupProgress } from './startup-progress';
import { readyBanner } from './up-banner';
import { upStateFile, writeUpState } from './up-state';

const DEFAULT_USER = 'local-user';
export const UP_COMMAND: CommandSpec = {
  usage: 'npm run up [-- options]',
  summary:
    'Starts the embedded local cloud, its HTTP API and the web console on 127.0.0.1 and keeps them\n' +
    'running until Ctrl-C (`npm run jobs`, `npm run replay` and `npm run redrive` find it). Exit 2 for a wrong command line.',
  options: [
    {
      name: 'user',
      type: 'string',
      value: 'ID',
      description: 'the user the console acts as',
      default: DEFAULT_USER,
    },
    {
      name: 'json',
      type: 'boolean',
      description: 'print one JSON line (endpoints, token, credentials) once ready',
    },
    ...DATA_FOLDER_OPTIONS,
  ],
  examples: [
    { title: 'start', command: 'npm run up' },
    {
      title: 'then',
      command:
        'export TOKEN=$(npm run -s token -- local-user); curl -H "authorization: Bearer $TOKEN" <api>/jobs',
    },
  ],
};

/** The command line, or the exit code when it is `--help` (0) or wrong (2). */
function upOptions(
  argv: string[],
): { json: boolean; user: string; fresh: boolean; dataDir?: string } | number {
  if (wantsHelp(argv)) {
    process.stdout.write(helpText(UP_COMMAND));
    return 0;
  }
  try {
    const { values } = parseCommandLine(UP_COMMAND, argv);
    const v = values as { json?: boolean; user?: string; fresh?: boolean; 'data-dir'?: string };
    return {
      json: v.json === true,
      user: v.user ?? DEFAULT_USER,
      fresh: v.fresh === true,
      ...(v['data-dir'] ? { dataDir: v['data-dir'] } : {}),
    };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`error: ${error.message}\nsee every option: npm run up -- --help\n`);
    return 2;
  }
}

async function main(): Promise<void> {
  const values = upOptions(process.argv.slice(2));
  if (typeof values === 'number') process.exit(values);
  const stage = 'local';
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = Date.now();
  const startup = startupProgress();
  // The cloud's modules load only now, so --help and usage errors answer at once.
  startup.phase('loading the local cloud');
  const [{ stageDataFolderPath }, { REPO_ROOT, startEmbeddedCloud }, { startConsoleServer }] =
    await Promise.all([
      import('../cloud/src/data-folder'),
      import('../cloud/src/embedded-cloud'),
      import('../console/src'),
    ]);
  const cloud = await startEmbeddedCloud({
    stage,
    dataDir: values.dataDir ?? stageDataFolderPath(stage),
    fresh: values.fresh,
    onPhase: startup.phase,
    // Every function loads its sandbox as soon as it is deployed (one per core at a time): the
    // console's first job finds them warm. Ready is announced without waiting for them.
    warmFunctions: 'all',
    ...functionEnvFromEnvironment(),
  }).catch((error: unknown) => {
    startup.stop();
    throw error;
  });
  startup.phase('starting the web console');
  const web = await startConsoleServer(cloud, { userId: values.user }).catch(async (error: unknown) => {
    await cloud.close();
    throw error;
  });
  const token = cloud.token(values.user);
  const ready = {
    api: cloud.endpoints.api,
    console: web.url,
    token,
    endpoints: {
      s3: cloud.endpoints.s3,
      dynamodb: cloud.endpoints.dynamodb,
      sqs: cloud.endpoints.sqs,
      events: cloud.endpoints.events,
      stepfunctions: cloud.endpoints.stepfunctions,
      replicate: cloud.endpoints.replicate,
    },
    // The operator's keys: full access, for the AWS CLI or any SDK pointed at the endpoints above.
    // Every request must be signed with them (or a function's own); unsigned ones are refused.
    credentials: {
      accessKeyId: cloud.credentials.accessKeyId,
      secretAccessKey: cloud.credentials.secretAccessKey,
    },
    region: cloud.region,
    stage: cloud.stage,
  };
  startup.ready(`local cloud ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // `npm run jobs` finds the running API here, `npm run replay` and `npm run redrive` the cloud (its
  // endpoints, operator keys, region and stage). It holds those keys: mode 0600, removed on stop.
  const stateFile = upStateFile();
  mkdirSync(join(REPO_ROOT, '.reelay'), { recursive: true });
  writeUpState(
    {
      api: ready.api,
      pid: process.pid,
      cloud: {
        stage: ready.stage,
        region: ready.region,
        endpoints: {
          events: ready.endpoints.events,
          sqs: ready.endpoints.sqs,
          s3: ready.endpoints.s3,
          dynamodb: ready.endpoints.dynamodb,
          stepfunctions: ready.endpoints.stepfunctions,
        },
        credentials: ready.credentials,
      },
    },
    stateFile,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log('\nstopping…');
    rmSync(stateFile, { force: true });
    await web.close().catch(() => undefined);
    await cloud.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  if (values.json) {
    process.stdout.write(`${JSON.stringify(ready)}\n`);
    return;
  }
  log(
    `\n${readyBanner({
      console: ready.console,
      api: ready.api,
      user: values.user,
      clientEnv: cloud.clientEnv,
      logFile: cloud.logFile,
      dataDir: cloud.dataDir,
    }).join('\n')}`,
  );
  log('press Ctrl-C to stop');
}

/** `REELAY_FUNCTION_ENV='{"NAME":"value"}'`: extra function environment (tests tune quotas, callbacks). */
function functionEnvFromEnvironment(): { functionEnv?: Record<string, string> } {
  const raw = process.env.REELAY_FUNCTION_ENV;
  if (!raw) return {};
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('REELAY_FUNCTION_ENV must be a JSON object of names to strings');
  return { functionEnv: Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)])) };
}

main().catch((error: Error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
