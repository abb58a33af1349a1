/**
 * `npm run screenshots`: every screen of the console at 1280 and 390 px, written to
 * out/screenshots/console (gitignored), so anyone can look at what a user sees. It runs the embedded
 * cloud, the console and Debian's chromium as the browser tests do, makes one tiny job and captures:
 * the empty console, the form per recipe, a job running, the job done, the gallery and the operator view.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { TEST_STAGE } from '../support/test-stage';
import {
  expectJobToComplete,
  fillForm,
  openConsole,
  pageShowsStatus,
  startConsoleHarness,
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
}

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  process.stdout.write('starting the local cloud and the console…\n');
  const h = await startConsoleHarness(TEST_STAGE);
  try {
    const page = await openConsole(h);
    await shoot(page, '1-empty');
    await page.selectOption('#recipe', 'merge');
    await shoot(page, '2-form-merge');
    await page.selectOption('#recipe', 'prompt');
    await page.fill('#prompt', '');
    await page.click('#submit');
    await shoot(page, '3-form-errors');

    // A job held mid-render, so the running view can be seen; then released to finish.
    h.cloud.chaos.hold({ queue: /generator/, detailType: 'ScenePlanned' });
    await fillForm(page, { prompt: 'a lighthouse at dusk, waves below', scenes: 3 });
    await page.click('#submit');
    await page.locator('#scene-list .scene').nth(2).waitFor({ timeout: 240_000 });
    await shoot(page, '4-job-running');
    await page.click('#cancel');
    await shoot(page, '5-cancel-confirm');
    await page.click('#cancel-keep');
    h.cloud.chaos.clear();
    const jobId = (await page.textContent('#job-id')) ?? '';
    await expectJobToComplete(h, jobId);
    await pageShowsStatus(page, 'COMPLETED');
    await page.locator('#history li[data-thumbnail="true"]').first().waitFor({ timeout: 60_000 });
    await shoot(page, '6-job-done');

    await page.click('#tab-ops');
    await page.locator('#queues tr[data-queue]').first().waitFor({ timeout: 60_000 });
    await shoot(page, '7-operator');
  } finally {
    await h.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
