/**
 * The embedded cloud's start-up with warm caches (packages, bundles and compiled code kept in
 * .reelay/ from earlier runs), the way each caller starts it, against issue 22's target of 10 s for
 * `npm start` on an idle 2-core machine:
 * - loading the code: a fresh Node process importing the cloud's modules (what `npm start` pays
 *   before the cloud starts);
 * - `npm start` on a data folder with no record yet: every function's sandbox loaded before the job;
 * - `npm start` again: only the functions the last run invoked are loaded (embedded/warm-set.ts);
 * - a test suite's cloud: functions load on demand, start-up ends with the deploy.
 * Each start's steps (local/cloud/src/embedded/startup-timings.ts) are printed so the slowest shows.
 */

import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ledgerProjectionSignal } from '../local/cli/job-changes';
import { runJob } from '../local/cli/run-job';
import { parseStartOptions } from '../local/cli/start-options';
import type { WarmFunctions } from '../local/cloud/src/embedded/warm-set';
import { type EmbeddedCloud, startEmbeddedCloud } from '../local/cloud/src/embedded-cloud';
import type { BenchSection, BenchTable } from './bench-section';

const TARGET_SEC = 10;
const ROOT = resolve(__dirname, '..');

interface StartMeasure {
  wallMs: number;
  cpuMs: number;
  warmed: number;
  steps: string[];
}

/** A fresh process loading the cloud's modules, as `npm start` does before it starts the cloud. */
function codeLoadMs(): number {
  const register = pathToFileURL(join(ROOT, 'scripts', 'register-ts.mjs')).href;
  const started = Date.now();
  const child = spawnSync(
    process.execPath,
    ['--import', register, '-e', `import(${JSON.stringify(join(ROOT, 'local/cli/start-run.ts'))})`],
    { cwd: ROOT, stdio: 'ignore' },
  );
  if (child.status !== 0) throw new Error(`loading the cloud's code failed (exit ${child.status})`);
  return Date.now() - started;
}

async function timedStart(
  warmFunctions: WarmFunctions,
  dataDir: string | undefined,
): Promise<{ cloud: EmbeddedCloud; measure: StartMeasure }> {
  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  const cloud = await startEmbeddedCloud({
    stage: 'local',
    warmFunctions,
    onLog: () => undefined,
    ...(dataDir ? { dataDir } : {}),
  });
  await cloud.whenWarm();
  const wallMs = Date.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const warmed = [...cloud.functions.values()].filter((fn) => fn.initDurationsMs.length > 0).length;
  return {
    cloud,
    measure: {
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      warmed,
      steps: cloud.startup.lines().map((line) => line.trim().replace(/\s+/g, ' ')),
    },
  };
}

export const startupSection: BenchSection = {
  name: 'startup',
  async run({ workDir, log }): Promise<BenchTable> {
    const loadAtStart = loadavg()[0] ?? 0;
    log('loading the code in a fresh process…');
    const loadMs = codeLoadMs();
    const dataDir = join(workDir, 'data');

    log(
      'npm start on a new data folder (every function warm), then a one-scene job to record what a job uses…',
    );
    const first = await timedStart('used-last-run', dataDir);
    try {
      const { spec } = parseStartOptions(['a lighthouse at dawn', '--scenes', '1', '--seconds', '2']);
      const result = await runJob(first.cloud, spec, {
        userId: 'bench-user',
        out: join(workDir, 'video.mp4'),
        changes: ledgerProjectionSignal(first.cloud),
      });
      if (result.record.status !== 'COMPLETED') throw new Error(`the job ended ${result.record.status}`);
    } finally {
      await first.cloud.close();
    }

    log('npm start again (the functions the job used warm)…');
    const again = await timedStart('used-last-run', dataDir);
    await again.cloud.close();

    log("a test suite's cloud (functions on demand)…");
    const suite = await timedStart('on-demand', undefined);
    await suite.cloud.close();

    const s = (ms: number) => (ms / 1000).toFixed(1);
    const row = (what: string, m: StartMeasure, withLoad: boolean, target?: number): string[] => {
      const total = m.wallMs + (withLoad ? loadMs : 0);
      return [
        what,
        s(total),
        `${s(m.cpuMs)}`,
        String(m.warmed),
        target ? `${target} s` : '',
        target ? `${(total / 1000 / target).toFixed(2)}x` : '',
      ];
    };
    return {
      title: 'Start-up of the embedded cloud, warm caches (issue 22)',
      headers: ['start', 'wall s', 'CPU-s in process', 'functions warm', 'target', 'measured / target'],
      rows: [
        ['loading the code (fresh process, before the cloud starts)', s(loadMs), '', '', '', ''],
        row(
          '**npm start** again: code + cloud + the functions a job used warm',
          again.measure,
          true,
          TARGET_SEC,
        ),
        row(
          'npm start on a new data folder: code + cloud + every function warm',
          first.measure,
          true,
          TARGET_SEC,
        ),
        row("a test suite's cloud (functions on demand)", suite.measure, false),
      ],
      notes: [
        `Steps of \`npm start\` again (seconds from the start; they overlap): ${again.measure.steps.join('; ')}.`,
        `Steps with every function warm: ${first.measure.steps.join('; ')}.`,
        'CPU-s: this process and its sandboxes (DynamoDB Local, esbuild and osls are child processes, not counted).',
        'Before this wave (issue 22): 12.1 s warm for `npm start` on an idle machine, 18.9 s in the end-to-end bench; every cloud then loaded all functions 30 at once, and each sandbox compiled its bundle and the AWS SDK again.',
        `One run each; load average ${loadAtStart.toFixed(1)} at the start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end (a loaded machine inflates every line; the target is for an idle one).`,
      ],
    };
  },
};
