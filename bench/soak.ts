/**
 * Throughput and memory of the embedded cloud under a soak without faults: rounds of 20 small jobs
 * (the soak's mix of recipes: 480p, 1 s scenes, 3–6 scenes) submitted at once through the HTTP API,
 * five rounds in all. Jobs per minute is measured on the first round (submission of the first job to
 * the last one terminal); peak memory is the cloud process plus its children (DynamoDB Local, ffmpeg),
 * marked after 20 and after 100 jobs. Target: no growth (the later peak within 20% of the earlier).
 */
import { mkdirSync } from 'node:fs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startEmbeddedCloud } from '../local/cloud/src/embedded-cloud';
import { prepareUsers, submitSoakJob, waitForJobs } from '../test/chaos/job-driver';
import { makeSoakMedia, plannedJob } from '../test/chaos/job-mix';
import type { BenchSection, BenchTable } from './bench-section';
import { formatMemoryMarks, GROWTH_LIMIT, MemorySampler, memoryGrowth } from './memory-soak';

const CONCURRENT_JOBS = 20;
const ROUNDS = 5;
const DEADLINE_SEC = 3600;

export const soakSection: BenchSection = {
  name: 'soak',
  async run({ workDir, log }): Promise<BenchTable> {
    mkdirSync(workDir, { recursive: true });
    log('starting the embedded cloud (not counted)…');
    const cloud = await startEmbeddedCloud({ stage: 'benchsoak' });
    const sampler = new MemorySampler({ functions: () => cloud.functions.values() }).start();
    try {
      const doc = DynamoDBDocumentClient.from(cloud.clients.dynamodb);
      const planned = Array.from({ length: CONCURRENT_JOBS * ROUNDS }, (_, i) =>
        plannedJob(i, { deadlineSec: DEADLINE_SEC, userPrefix: 'bench-soak-user' }),
      );
      const uploads = await prepareUsers(cloud, planned, { media: makeSoakMedia(workDir) });
      const rounds: Array<{ seconds: number; completed: number }> = [];
      for (let round = 0; round < ROUNDS; round++) {
        const jobs = planned.slice(round * CONCURRENT_JOBS, (round + 1) * CONCURRENT_JOBS);
        const started = Date.now();
        const jobIds = await Promise.all(
          jobs.map((job) => submitSoakJob(cloud, job, uploads.get(job.userId), `bench-soak-${job.index}`)),
        );
        const records = await waitForJobs({ doc, table: cloud.names.jobsTable }, jobIds, {
          deadlineMs: started + DEADLINE_SEC * 1000,
        });
        const completed = [...records.values()].filter((r) => r?.status === 'COMPLETED').length;
        rounds.push({ seconds: (Date.now() - started) / 1000, completed });
        log(
          `round ${round + 1}: ${completed}/${jobs.length} completed in ${rounds.at(-1)?.seconds.toFixed(0)} s`,
        );
        if (round === 0) await sampler.mark(`after ${CONCURRENT_JOBS} jobs`);
      }
      const last = await sampler.mark(`after ${CONCURRENT_JOBS * ROUNDS} jobs`);
      const [first] = sampler.marks();
      if (!first) throw new Error('no memory mark after the first round');
      const growth = memoryGrowth(first, last);
      const perMinute = (r: { seconds: number; completed: number }) =>
        ((60 * r.completed) / r.seconds).toFixed(1);
      const allSeconds = rounds.reduce((n, r) => n + r.seconds, 0);
      const allCompleted = rounds.reduce((n, r) => n + r.completed, 0);
      const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
      const firstRound = rounds[0] ?? { seconds: 0, completed: 0 };
      return {
        title: `Soak: ${CONCURRENT_JOBS} concurrent small jobs, ${ROUNDS} rounds, no faults`,
        headers: ['figure', 'value', 'limit / ratio'],
        rows: [
          [
            `jobs per minute (first ${CONCURRENT_JOBS})`,
            perMinute(firstRound),
            `${firstRound.completed}/${CONCURRENT_JOBS} completed in ${firstRound.seconds.toFixed(0)} s`,
          ],
          [
            `jobs per minute (all ${CONCURRENT_JOBS * ROUNDS})`,
            perMinute({ seconds: allSeconds, completed: allCompleted }),
            `${allCompleted}/${CONCURRENT_JOBS * ROUNDS} completed`,
          ],
          [
            `peak memory ${first.label} (MB)`,
            mb(first.peakTotalRssBytes),
            `cloud process ${mb(first.peakProcessRssBytes)} MB`,
          ],
          [
            `peak memory ${last.label} (MB)`,
            mb(last.peakTotalRssBytes),
            `cloud process ${mb(last.peakProcessRssBytes)} MB`,
          ],
          [
            'memory growth 20 → 100 jobs',
            `×${growth.ratio.toFixed(2)}`,
            `limit ×${GROWTH_LIMIT}: ${growth.withinLimit ? 'met' : 'NOT met'}`,
          ],
        ],
        notes: [
          "Jobs: the reliability soak's mix (test/chaos/job-mix.ts): prompt, ad, story, merge and soundtrack recipes, 480p, 1 s scenes, 3–6 scenes, every seventh with music, narration and captions.",
          'Memory: resident set of the cloud process (every Lambda sandbox is a worker thread in it) plus its children, sampled every 0.5 s.',
          ...formatMemoryMarks(sampler.marks()),
          'One run; a loaded machine inflates every figure.',
        ],
      };
    } finally {
      await sampler.stop();
      await cloud.close();
    }
  },
};
