/**
 * `npm run screenshots`: every screen of the console at 1280 and 390 px, written to
 * out/screenshots/console (gitignored; the script prints each file), so anyone can look at what a user
 * sees. It runs the embedded cloud, the console and Debian's chromium as the browser tests do, and
 * captures: the empty console, the form of each recipe and with errors, the series view empty, a job
 * failed (a denied rule delivery, with Redrive on it), a job running, the cancel confirmation, the job
 * cancelled, a job done with the gallery, a series with its episodes, and the operator view.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RECIPES } from '@reelay/events';
import type { Page } from 'playwright-core';
import { TEST_STAGE } from '../support/test-stage';
import {
  type ConsoleHarness,
  expectJobToComplete,
  fillForm,
  JOB_DEADLINE_SEC,
  openConsole,
  pageShowsStatus,
  startConsoleHarness,
  submitFromForm,
  USER,
  waitForJobToEnd,
} from './console-harness';

const OUT = resolve(__dirname, '../../out/screenshots/console');
const WIDTHS = [1280, 390] as const;

async function shoot(page: Page, name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    const file = join(OUT, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    process.stdout.write(`${file}\n`);
  }
  await page.setViewportSize({ width: WIDTHS[0], height: 900 });
}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  say('starting the local cloud and the console…');
  const h = await startConsoleHarness(TEST_STAGE);
  try {
    const page = await openConsole(h);
    await page.locator('#history-empty:not([hidden])').waitFor();
    await shoot(page, '01-empty');
    for (const recipe of RECIPES) {
      await page.selectOption('#recipe', recipe);
      await shoot(page, `02-form-${recipe}`);
    }
    await page.selectOption('#recipe', 'prompt');
    await page.fill('#prompt', '');
    await page.fill('#scenes', '40');
    await page.click('#submit');
    await shoot(page, '03-form-errors');
    await page.click('#tab-series');
    await page.locator('#series-empty:not([hidden])').waitFor();
    await shoot(page, '04-series-empty');
    await page.click('#tab-jobs');

    say('a job whose JobRequested cannot be delivered (it fails at plan)…');
    h.cloud.chaos.denyDelivery({
      ruleName: `reelay-${h.cloud.stage}-generator-plan`,
      detailType: 'JobRequested',
    });
    const failed = await submitFromForm(page, { prompt: 'a lantern on a lake at night' });
    await waitForJobToEnd(h, failed);
    await pageShowsStatus(page, 'FAILED');
    await page.locator(`#history li[data-job-id="${failed}"][data-status="FAILED"]`).waitFor();
    h.cloud.chaos.clear();
    await shoot(page, '05-job-failed');

    say('a job held mid-render, then cancelled…');
    h.cloud.chaos.hold({ queue: /generator/, detailType: 'ScenePlanned' });
    await fillForm(page, { prompt: 'a lighthouse at dusk, waves below', scenes: 3 });
    await page.click('#submit');
    await page.locator('#scene-list .scene').nth(2).waitFor({ timeout: 240_000 });
    await shoot(page, '06-job-running');
    await page.click('#cancel');
    await shoot(page, '07-cancel-confirm');
    await page.click('#cancel-confirm');
    await pageShowsStatus(page, 'CANCELLED');
    h.cloud.chaos.clear();
    await shoot(page, '08-job-cancelled');

    say('a job run to its end…');
    const done = await submitFromForm(page, { prompt: 'a paper boat drifting down a rainy street' });
    await expectJobToComplete(h, done);
    await pageShowsStatus(page, 'COMPLETED');
    await page.locator('#history li[data-thumbnail="true"]').first().waitFor({ timeout: 60_000 });
    // A frame of the video in the player, not its loading spinner: seek into it and wait until shown.
    await page.evaluate(`new Promise((resolve) => {
      const video = document.getElementById('video');
      video.addEventListener('seeked', resolve, { once: true });
      video.currentTime = 0.5;
      setTimeout(resolve, 30000); // a video that never loads is seen as it is
    })`);
    await shoot(page, '09-job-done-and-gallery');

    say('a series making its first episode…');
    const seriesId = await seriesWithOneEpisode(h);
    await page.goto(`${h.web.url}/#series/${seriesId}`);
    await page.locator('#episode-list li[data-status="COMPLETED"]').waitFor({ timeout: 60_000 });
    await shoot(page, '10-series');

    await page.click('#tab-ops');
    await page.locator('#queues tr[data-queue]').first().waitFor({ timeout: 60_000 });
    await page.fill('#dead-job', failed);
    await page.click('#dead-show');
    await page.locator('#dead', { hasText: /dead message/ }).waitFor({ timeout: 60_000 });
    await shoot(page, '11-operator');
  } finally {
    await h.close();
  }
}

/**
 * A daily series (a rate schedule runs once at creation) with a quota of one and two items, and a
 * weekly one that has not run: returns the daily one once its first episode is made.
 */
async function seriesWithOneEpisode(h: ConsoleHarness): Promise<string> {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${h.cloud.endpoints.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${h.cloud.token(USER)}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const template = {
    prompt: 'a lighthouse at {{prompt}}',
    scenes: 1,
    secondsPerScene: 1,
    resolution: '480p',
    music: false,
    narration: false,
    captions: false,
    deadlineSec: JOB_DEADLINE_SEC,
  };
  const daily = await call('POST', '/series', {
    name: 'Lighthouses at every hour',
    template,
    items: [{ prompt: 'dawn' }, { prompt: 'dusk' }],
    schedule: { expression: 'rate(1 day)', timeZone: 'UTC' },
    dailyQuota: 1,
  });
  await call('POST', '/series', {
    name: 'Monday lighthouses',
    template,
    items: [{ prompt: 'Eckmühl' }],
    schedule: { expression: 'cron(0 9 ? * MON *)', timeZone: 'Europe/Paris' },
    dailyQuota: 2,
  });
  const seriesId = String(daily.seriesId);
  const giveUpAt = Date.now() + (JOB_DEADLINE_SEC + 120) * 1000;
  while (Date.now() < giveUpAt) {
    const { episodes = [] } = (await call('GET', `/series/${seriesId}/episodes`)) as {
      episodes?: Array<{ status: string }>;
    };
    if (episodes[0]?.status === 'COMPLETED' || episodes[0]?.status === 'FAILED') return seriesId;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the series ${seriesId} made no episode by its job's deadline`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
