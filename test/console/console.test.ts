import type { Browser, Page } from 'playwright-core';
import { type EmbeddedCloud, startEmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import { type ConsoleServer, startConsoleServer } from '../../local/console/src';
import { launchChromium, screenshot } from './browser';

const SECONDS_PER_SCENE = 1;
const SCENES = 2;
const JOB_TIMEOUT_MS = 240_000;

let cloud: EmbeddedCloud;
let web: ConsoleServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  cloud = await startEmbeddedCloud({ stage: 'console', onLog: () => undefined });
  web = await startConsoleServer(cloud);
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await cloud?.close();
});
beforeEach(async () => {
  page = await browser.newPage();
  await page.goto(web.url);
  await page.locator('#recipe option').first().waitFor({ state: 'attached' });
});
afterEach(async () => {
  cloud.chaos.clear();
  await page.close();
});

/** What the test reads of a <video> in the page (the root tsconfig has no DOM types). */
interface VideoElement {
  readyState: number;
  duration: number;
  error: { code: number } | null;
  addEventListener(type: string, listener: (e: unknown) => void, options: { once: boolean }): void;
  querySelectorAll(selector: string): ArrayLike<{ kind: string }>;
}

interface JobView {
  status: string;
  costUsd: number;
  parentJobId?: string;
  spec: { prompt?: string };
  output?: { durationSec: number };
  timeline: Array<{ detailType: string }>;
  scenes: Array<{ sceneIndex: number; costUsd?: number }>;
}

async function getJob(jobId: string): Promise<{ status: number; job: JobView }> {
  const res = await fetch(`${cloud.endpoints.api}/jobs/${jobId}`, {
    headers: { authorization: `Bearer ${cloud.token('local-user')}` },
  });
  return { status: res.status, job: (await res.json()) as JobView };
}

async function submitJob(prompt: string): Promise<string> {
  await page.fill('#prompt', prompt);
  await page.fill('#scenes', String(SCENES));
  await page.fill('#seconds', String(SECONDS_PER_SCENE));
  await page.selectOption('#resolution', '480p');
  await page.uncheck('#music');
  await page.click('#submit');
  await page
    .locator('#job-id')
    .filter({ hasText: /^[0-9A-Z]{26}$/ })
    .waitFor();
  return (await page.textContent('#job-id')) ?? '';
}

const jobStatus = (status: string) =>
  page.locator(`#job-status[data-status="${status}"]`).waitFor({ timeout: JOB_TIMEOUT_MS });

describe('the console', () => {
  test('a submitted job shows every scene done, plays its video with captions and shows its cost', async () => {
    const jobId = await submitJob('a paper boat on a puddle');

    await jobStatus('COMPLETED');
    await page.locator('#player:not([hidden])').waitFor();
    const video = await page.$eval('#video', async (v: VideoElement) => {
      if (v.readyState < 1)
        await new Promise((ok, fail) => {
          v.addEventListener('loadedmetadata', ok, { once: true });
          v.addEventListener('error', fail, { once: true });
        });
      return {
        duration: v.duration,
        error: v.error?.code ?? null,
        tracks: Array.from(v.querySelectorAll('track')).map((t) => t.kind),
      };
    });
    await screenshot(page, 'completed-job');

    const scenes = await page.$$eval('.scene', (rows) =>
      rows.map((r) => (r as unknown as { dataset: { status?: string } }).dataset.status),
    );
    const { job: record } = await getJob(jobId);
    expect(scenes.length).toBeGreaterThanOrEqual(SCENES);
    expect(scenes).toHaveLength(record.scenes.length);
    expect(scenes.every((s) => s === 'ready')).toBe(true);
    expect(video.error).toBeNull();
    expect(video.duration).toBeCloseTo(record.output?.durationSec ?? Number.NaN, 1);
    expect(video.tracks).toEqual(['captions']);
    expect(await page.textContent('#job-cost')).toBe(`$${record.costUsd.toFixed(4)}`);
    const sceneCosts = await page.$$eval('.scene span:last-child', (spans) =>
      spans.map((x) => x.textContent),
    );
    expect(sceneCosts).toEqual(record.scenes.map((s) => `$${(s.costUsd ?? 0).toFixed(4)}`));
    expect(await page.locator('#waterfall .bar').count()).toBeGreaterThanOrEqual(3);
  }, 300_000);

  test('regenerate with a changed prompt starts a new job from the old one', async () => {
    const first = await submitJob('a red kite over a beach');
    await jobStatus('COMPLETED');

    await page.fill('#regen-prompt', 'a blue kite over a snowy field');
    await page.click('#regenerate');
    await page.locator('#job-id').filter({ hasNotText: first }).waitFor();
    const second = (await page.textContent('#job-id')) ?? '';
    await jobStatus('COMPLETED');
    await screenshot(page, 'regenerated-job');

    const { job: record } = await getJob(second);
    expect(record.parentJobId).toBe(first);
    expect(record.spec.prompt).toBe('a blue kite over a snowy field');
  }, 300_000);

  test('cancel stops a running job', async () => {
    // Hold the generator's work so the job is surely still running when it is cancelled.
    cloud.chaos.hold({ queue: /generator/ });
    await submitJob('a snail crossing a road');
    await page.click('#cancel');
    await page.locator('#job-status', { hasText: '(cancelled)' }).waitFor({ timeout: JOB_TIMEOUT_MS });
    await jobStatus('FAILED');
    await screenshot(page, 'cancelled-job');

    expect(await page.textContent('#job-failure')).toContain('CANCELLED');
    expect(await page.isDisabled('#cancel')).toBe(true);
  });

  test('a dead event is shown in the operator view and redriven to its target once its cause is fixed', async () => {
    // The cause: the ledger's rule cannot deliver the JobRequested event, so it goes to the rule's DLQ
    // (the ledger then keeps it on the job).
    cloud.chaos.denyDelivery({ ruleName: 'reelay-console-ledger-project', detailType: 'JobRequested' });
    const jobId = await submitJob('a lantern on a lake');
    await page.click('#tab-ops');
    expect(await page.inputValue('#dead-job')).toBe(jobId);
    const deadline = Date.now() + JOB_TIMEOUT_MS;
    while (Date.now() < deadline && !/^1 dead message/.test((await page.textContent('#dead')) ?? '')) {
      await page.click('#dead-show');
      await page.waitForTimeout(500);
    }
    expect(await page.textContent('#dead')).toContain('"detail-type":"JobRequested"');
    expect(await page.textContent('#dead')).toContain('reelay-console-ledger-project-rule-dlq');

    // The fix, then the redrive.
    cloud.chaos.clear();
    await page.click('#dead-redrive');
    await page.locator('#dead-result', { hasText: '"sent":[{' }).waitFor();
    await page.locator('#dead', { hasText: 'redriven' }).waitFor();
    await screenshot(page, 'redriven-dead-event');

    let timeline: Array<{ detailType: string }> = [];
    while (Date.now() < deadline && !timeline.some((t) => t.detailType === 'JobRequested')) {
      await new Promise((r) => setTimeout(r, 500));
      const res = await getJob(jobId);
      if (res.status === 200) timeline = res.job.timeline;
    }
    expect(timeline.map((t) => t.detailType)).toContain('JobRequested');
  }, 300_000);
});
