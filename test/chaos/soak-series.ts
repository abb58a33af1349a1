/**
 * Series traffic in the soak (issue 20): one series of a user of its own, with a small daily quota and
 * more items than the quota, made under every fault and across the whole-cloud restart. Its schedule
 * (rate, first run at once) also fires a second time on day one. Its episodes are ordinary jobs: once
 * they end they join the soak's jobs, so every job check covers them too; `checkSeries` adds what is
 * the series' own: the quota made, each item once, nothing over it, nothing lost.
 */
import type { EmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import { callApi, registerCallback } from './job-driver';
import type { SoakCheck } from './soak-checks';

export const SERIES_USER = 'soak-series-user';
const ITEMS = ['a red kite', 'a blue kite', 'a green kite'];
const QUOTA = 2;

export interface SoakSeries {
  seriesId: string;
  userId: string;
  quota: number;
  items: number;
  scheduleName: string;
}

/** One episode as `GET /series/{id}/episodes` shows it. */
export interface SoakEpisode {
  itemId: string;
  status: string;
  jobId?: string;
  day?: string;
}

/** Creates the series (one Idempotency-Key, so a crashed seriesApi retried makes one) and fires its schedule once more. */
export async function startSoakSeries(
  cloud: EmbeddedCloud,
  options: { callbackUrl: string; deadlineSec: number; idempotencyKey: string },
): Promise<SoakSeries> {
  await registerCallback(cloud, SERIES_USER, options.callbackUrl);
  const created = await callApi(cloud, SERIES_USER, {
    method: 'POST',
    path: '/series',
    headers: { 'idempotency-key': options.idempotencyKey },
    body: {
      name: 'soak kites',
      // A lean episode: one one-second 480p scene.
      template: {
        prompt: '{{prompt}} over a beach',
        scenes: 1,
        secondsPerScene: 1,
        resolution: '480p',
        music: false,
        narration: false,
        captions: false,
        deadlineSec: options.deadlineSec,
      },
      items: ITEMS.map((prompt) => ({ prompt })),
      schedule: { expression: 'rate(1 day)', timeZone: 'UTC' },
      dailyQuota: QUOTA,
    },
  });
  const seriesId = created.json.seriesId;
  // 202 when a retry after a crashed seriesApi replays the first answer (Idempotency-Key).
  if ((created.status !== 201 && created.status !== 202) || typeof seriesId !== 'string')
    throw new Error(`POST /series answered ${created.status}: ${JSON.stringify(created.json)}`);
  const scheduleName = `reelay-${cloud.stage}-series-${seriesId}`;
  // The schedule fires twice on day one: the second run must make nothing the first did not.
  await cloud.emulator.scheduler.fireNow(scheduleName);
  return { seriesId, userId: SERIES_USER, quota: QUOTA, items: ITEMS.length, scheduleName };
}

export async function seriesEpisodes(cloud: EmbeddedCloud, series: SoakSeries): Promise<SoakEpisode[]> {
  const answer = await callApi(cloud, series.userId, {
    method: 'GET',
    path: `/series/${series.seriesId}/episodes`,
  });
  if (answer.status !== 200) throw new Error(`GET episodes answered ${answer.status}`);
  return answer.json.episodes as SoakEpisode[];
}

/** Day one is over when the quota's episodes have ended. */
export const seriesDayOver = (series: SoakSeries, episodes: readonly SoakEpisode[]): boolean =>
  episodes.filter((e) => e.status === 'COMPLETED' || e.status === 'FAILED').length >= series.quota;

/**
 * Exactly the quota's episodes made on day one (an episode counts when its item is claimed, whether
 * its job then completes or fails), each from its own item with a job of its own, each ended; a
 * COMPLETED episode's job COMPLETED; the other items still listed, PENDING for the next day (nothing
 * lost). The episodes' jobs are among the soak's jobs, so the job checks cover them too.
 */
export function checkSeries(
  series: SoakSeries | undefined,
  episodes: readonly SoakEpisode[],
  jobStatus: (jobId: string) => string | undefined,
): SoakCheck {
  const made = episodes.filter((e) => e.jobId !== undefined);
  const offenders = !series
    ? ['the soak ran no series']
    : [
        ...(made.length === series.quota
          ? []
          : [`${made.length} episodes made for a quota of ${series.quota}`]),
        ...(episodes.length === series.items ? [] : [`${episodes.length} of ${series.items} items listed`]),
        ...(new Set(made.map((e) => e.jobId)).size === made.length ? [] : ['two episodes share a job']),
        ...(new Set(made.map((e) => e.day)).size <= 1 ? [] : ['episodes counted on different days']),
        ...made
          .filter((e) => e.status !== 'COMPLETED' && e.status !== 'FAILED')
          .map((e) => `item ${e.itemId} still ${e.status}`),
        ...made
          .filter((e) => e.status === 'COMPLETED' && jobStatus(e.jobId ?? '') !== 'COMPLETED')
          .map((e) => `item ${e.itemId} COMPLETED but its job ${e.jobId} is ${jobStatus(e.jobId ?? '')}`),
        ...episodes
          .filter((e) => e.jobId === undefined && e.status !== 'PENDING')
          .map((e) => `item ${e.itemId} ${e.status} without a job`),
      ];
  return {
    name: 'the series made its quota, each item once, nothing lost',
    expected: series
      ? `${series.quota} of ${series.items} items made on day one, one job each, the rest PENDING`
      : 'a series',
    observed: episodes.map((e) => `${e.itemId}:${e.status}`).join(', ') || 'no episodes',
    ok: offenders.length === 0,
    offenders,
  };
}
