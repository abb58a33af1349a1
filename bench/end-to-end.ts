/**
 * The default local job end to end (`npm start -- "a lighthouse in a storm at night"`: 5 video
 * scenes x 4 s at 720p, a narration per scene and a music bed) on the embedded cloud, from
 * JobRequested to VideoComposed, split into what computed and what waited:
 * - model time: wall time during which at least one of the job's predictions was rendering on the
 *   local model server (started_at..completed_at);
 * - composition time: wall time during which the composer (prepare or compose sandboxes) worked and
 *   no model did;
 * - pipeline overhead: the rest, when nothing computed for the job (event hops, queue polls,
 *   Lambda cold starts, webhooks, Step Functions, prediction queueing on no model).
 * Two figures frame them: the job as a user of `npm start` waits for it, from POST /jobs to the MP4
 * (with thumbnail and captions) downloaded, which the 30 s target of issue 5 applies to; and the
 * one-off start-up before it (packaging, cached in .reelay/, the emulators, and every function's
 * sandbox loading its handler), reported on its own line.
 */

import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { JobRecord } from '@reelay/job-records';
import { ledgerProjectionSignal } from '../local/cli/job-changes';
import { runJob } from '../local/cli/run-job';
import { parseStartOptions } from '../local/cli/start-options';
import { startEmbeddedCloud } from '../local/cloud/src/embedded-cloud';
import type { BenchSection, BenchTable } from './bench-section';

const DEFAULT_PROMPT = 'a lighthouse in a storm at night';
const TARGET_TOTAL_SEC = 30;
const TARGET_OVERHEAD_SHARE = 0.05;
/** Issue 21: from the last SceneReady to VideoComposed (the last prepare, the compose request, compose). */
const TARGET_CRITICAL_PATH_SEC = 3;

type Span = readonly [number, number];

/** Total length of the union of spans, each clipped to [from, to]. */
export function unionMs(spans: readonly Span[], from: number, to: number): number {
  const clipped = spans
    .map(([a, b]): Span => [Math.max(a, from), Math.min(b, to)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [a, b] of clipped) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

function occurredMs(record: JobRecord, detailType: string, pick: 'first' | 'last' = 'first'): number {
  const times = record.timeline
    .filter((t) => t.detailType === detailType)
    .map((t) => Date.parse(t.occurredAt))
    .sort((a, b) => a - b);
  const time = pick === 'first' ? times[0] : times[times.length - 1];
  if (time === undefined) throw new Error(`the job's timeline has no ${detailType}`);
  return time;
}

/** Jobs whose critical path (last SceneReady -> VideoComposed) is measured: the median decides. */
const CRITICAL_PATH_RUNS = 3;

export const endToEndSection: BenchSection = {
  name: 'end-to-end',
  async run({ workDir, log }): Promise<BenchTable> {
    log('starting the embedded cloud (start-up, reported apart from the job)…');
    const startedAt = Date.now();
    // Every function warm before the job, loading while the cloud deploys (the startup section
    // times the other ways a cloud starts).
    const cloud = await startEmbeddedCloud({ stage: 'bench', warmFunctions: 'all' });
    try {
      await cloud.whenWarm();
      const startupMs = Date.now() - startedAt;
      const loadAtStart = loadavg()[0] ?? 0;
      const { spec } = parseStartOptions([DEFAULT_PROMPT]);
      log(`running the default job: ${JSON.stringify(spec)}`);
      const result = await runJob(cloud, spec, {
        userId: 'bench-user',
        out: join(workDir, 'video.mp4'),
        changes: ledgerProjectionSignal(cloud),
      });
      const { record, timings } = result;
      if (record.status !== 'COMPLETED') throw new Error(`the job ended ${record.status}`);
      const jobMs = timings.downloadedAt - timings.submittedAt;

      const from = occurredMs(record, 'JobRequested');
      const to = occurredMs(record, 'VideoComposed');
      const totalMs = to - from;
      const models: Span[] = cloud.models.predictions().flatMap((p): Span[] => {
        const created = Date.parse(p.createdAt);
        if (created < from || p.startedAt === null || p.completedAt === null) return [];
        return [[Date.parse(p.startedAt), Date.parse(p.completedAt)]];
      });
      const composerSpans = (suffix: string): Span[] =>
        [...cloud.functions.values()]
          .filter((fn) => fn.config.name.startsWith('reelay-composer-') && fn.config.name.endsWith(suffix))
          .flatMap((fn) => fn.invocationSpans.map((s): Span => [s.startMs, s.endMs]));
      const composer = [...composerSpans('-prepare'), ...composerSpans('-compose')];
      const modelMs = unionMs(models, from, to);
      const busyMs = unionMs([...models, ...composer], from, to);
      const compositionMs = busyMs - modelMs;
      const overheadMs = totalMs - busyMs;
      const lastReady = occurredMs(record, 'SceneReady', 'last');
      const composeMs = unionMs(composerSpans('-compose'), from, to);

      // The critical path in parts: the prepares still running after the last SceneReady, then
      // the wait for the compose invocation, then compose itself.
      const composeStart = Math.min(
        ...composerSpans('-compose')
          .map(([a]) => a)
          .filter((a) => a >= lastReady),
      );
      const preparesAfter = composerSpans('-prepare').filter(([, b]) => b > lastReady);
      const lastPrepareEnd = Math.max(lastReady, ...preparesAfter.map(([, b]) => b));
      const s = (ms: number) => (ms / 1000).toFixed(1);
      const criticalParts =
        `critical path in parts: ${preparesAfter.length} prepare invocations still running or started after the last SceneReady, ` +
        `the last ending ${s(lastPrepareEnd - lastReady)} s after it (union ${s(unionMs(preparesAfter, lastReady, to))} s; each ${preparesAfter.map(([a, b]) => s(b - a)).join(', ')} s); ` +
        `compose started ${s(composeStart - lastPrepareEnd)} s after that and took ${s(to - composeStart)} s to VideoComposed`;
      // The critical path is a few seconds: one run's figure moves by a few tenths with the machine's
      // load, so the verdict takes the median of this job and two more run after it, one at a time.
      const criticalPaths = [to - lastReady];
      for (let more = 1; more < CRITICAL_PATH_RUNS; more++) {
        log(`running the default job again for the critical path (${more + 1} of ${CRITICAL_PATH_RUNS})`);
        const again = await runJob(cloud, spec, {
          userId: 'bench-user',
          out: join(workDir, `video-${more}.mp4`),
          changes: ledgerProjectionSignal(cloud),
        });
        if (again.record.status !== 'COMPLETED') throw new Error(`the job ended ${again.record.status}`);
        criticalPaths.push(
          occurredMs(again.record, 'VideoComposed') - occurredMs(again.record, 'SceneReady', 'last'),
        );
      }
      const criticalMedian =
        [...criticalPaths].sort((a, b) => a - b)[Math.floor(criticalPaths.length / 2)] ?? 0;
      const share = (ms: number) => `${((100 * ms) / totalMs).toFixed(0)}%`;
      const overheadShare = overheadMs / totalMs;
      return {
        title: 'End to end: the default 5-scene 720p job on the embedded cloud',
        headers: ['part', 'wall s', 'share of total'],
        rows: [
          ['model time (any prediction rendering)', s(modelMs), share(modelMs)],
          ['composition time (composer working, no model)', s(compositionMs), share(compositionMs)],
          ['pipeline overhead (nothing computing)', s(overheadMs), share(overheadMs)],
          ['**total** JobRequested → VideoComposed', s(totalMs), '100%'],
          ['POST /jobs → JobRequested', s(from - timings.submittedAt), ''],
          ['VideoComposed → seen COMPLETED → files downloaded', s(timings.downloadedAt - to), ''],
          ['**job**: POST /jobs → MP4 downloaded (the target)', s(jobMs), ''],
          ['start-up before the job (cloud, emulators, sandboxes warm)', s(startupMs), ''],
          [
            '(composer working at all, prepare + compose)',
            s(unionMs(composer, from, to)),
            share(unionMs(composer, from, to)),
          ],
          ['(compose invocation)', s(composeMs), share(composeMs)],
          ['(last SceneReady → VideoComposed)', s(to - lastReady), share(to - lastReady)],
        ],
        notes: [
          `${record.scenes.length} scenes (${spec.scenes ?? 'default'} visual); ${models.length} predictions.`,
          `Target: the job (POST /jobs → MP4 downloaded) under ${TARGET_TOTAL_SEC} s on 2 cores (issue 5): ${jobMs / 1000 < TARGET_TOTAL_SEC ? 'met' : 'not met'}; pipeline overhead under ${TARGET_OVERHEAD_SHARE * 100}% of JobRequested → VideoComposed (issue 9): ${overheadShare < TARGET_OVERHEAD_SHARE ? 'met' : 'not met'}.`,
          `Target: the critical path, last SceneReady → VideoComposed, ${TARGET_CRITICAL_PATH_SEC} s or less (issue 21): median of ${criticalPaths.length} jobs run one after another ${s(criticalMedian)} s (${criticalPaths.map(s).join(', ')} s; the table's job first), ${criticalMedian / 1000 <= TARGET_CRITICAL_PATH_SEC ? 'met' : 'not met'}.`,
          criticalParts,
          `One run; load average ${loadAtStart.toFixed(1)} when the job started, ${(loadavg()[0] ?? 0).toFixed(1)} when it ended (a loaded machine inflates every line). Start-up is the one-off cost of \`npm start\` before the job.`,
        ],
      };
    } finally {
      await cloud.close();
    }
  },
};
