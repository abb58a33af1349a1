/**
 * The console's series view (issue 20), in Debian's chromium on the embedded cloud: the series a user
 * made over the API with their schedule, today's count against the quota and the next run; a series'
 * episodes with their status and a link to their job; pause and resume, which reach the Scheduler.
 * Then the form's language and style pictures (issue 21's job fields), on the same cloud to spare a
 * start-up. One cloud, one browser, one tiny episode (1 scene of 1 s at 480p).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { findFfmpeg } from '@reelay/media';
import type { Page } from 'playwright-core';
import { TEST_STAGE } from '../support/test-stage';
import { horizontalOverflow, screenshot, seriousAccessibilityViolations } from './browser';
import {
  type ConsoleHarness,
  fillForm,
  getJob,
  JOB_DEADLINE_SEC,
  ONE_JOB_TEST_MS,
  openConsole,
  SWEEP_GRACE_MS,
  startConsoleHarness,
  USER,
} from './console-harness';

let h: ConsoleHarness;
let page: Page;

beforeAll(async () => {
  h = await startConsoleHarness(TEST_STAGE);
}, 300_000);
afterAll(async () => h?.close());
beforeEach(async () => {
  page = await openConsole(h);
}, 300_000);
afterEach(async () => page?.close());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${h.cloud.endpoints.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${h.cloud.token(USER)}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

const TINY = {
  prompt: 'a lighthouse at {{prompt}}',
  scenes: 1,
  secondsPerScene: 1,
  resolution: '480p',
  music: false,
  narration: false,
  captions: false,
  deadlineSec: JOB_DEADLINE_SEC,
};

/** Reads the series until `done` holds; gives up (with what it saw) at a job's deadline plus the sweep. */
async function seriesUntil(seriesId: string, what: string, done: (s: Record<string, unknown>) => boolean) {
  const giveUpAt = Date.now() + JOB_DEADLINE_SEC * 1000 + SWEEP_GRACE_MS;
  for (;;) {
    const series = (await call('GET', `/series/${seriesId}`)).body;
    const episodes = (await call('GET', `/series/${seriesId}/episodes`)).body;
    if (done({ ...series, episodes: episodes.episodes })) return;
    if (Date.now() > giveUpAt)
      throw new Error(`${what}: ${JSON.stringify({ series, episodes })}\n${h.logs.slice(-30).join('\n')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const scheduleState = async (seriesId: string) =>
  (
    await h.cloud.clients.scheduler.send(
      new GetScheduleCommand({ Name: `reelay-${h.cloud.stage}-series-${seriesId}` }),
    )
  ).State;

let daily = '';
let weekly = '';

describe('the series view', () => {
  test('with no series yet, the Series tab says what a series is and how to make one', async () => {
    // Act: the tab, from the keyboard.
    await page.focus('#tab-series');
    await page.keyboard.press('Enter');
    await page.locator('#series-empty:not([hidden])').waitFor();

    // Assess
    expect(await page.textContent('#series-empty')).toContain('POST /series');
    expect(await page.getAttribute('#tab-series', 'aria-pressed')).toBe('true');
    expect(await page.isVisible('#series-detail')).toBe(false);
    expect(page.url()).toMatch(/#series$/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  test(
    "the list shows each series' schedule, today's count and next run; a series shows its episodes and their jobs",
    async () => {
      // Prepare: a daily series that makes its one episode of the day at once (a rate schedule runs
      // when created) and has one item left; a weekly one that has not run.
      const one = await call('POST', '/series', {
        name: 'Lighthouses at every hour',
        template: TINY,
        items: [{ prompt: 'dawn' }, { prompt: 'dusk' }],
        schedule: { expression: 'rate(1 day)', timeZone: 'UTC' },
        dailyQuota: 1,
      });
      const two = await call('POST', '/series', {
        name: 'Monday lighthouses',
        template: TINY,
        items: [{ prompt: 'Eckmühl' }],
        schedule: { expression: 'cron(0 9 ? * MON *)', timeZone: 'Europe/Paris' },
        dailyQuota: 2,
      });
      expect([one.status, two.status]).toEqual([201, 201]);
      daily = String(one.body.seriesId);
      weekly = String(two.body.seriesId);
      await seriesUntil(
        daily,
        'the first episode is made and the quota reached',
        (s) =>
          s.state === 'quota-reached' && (s.episodes as Array<{ status: string }>)[0]?.status === 'COMPLETED',
      );
      const episodes = (await call('GET', `/series/${daily}/episodes`)).body.episodes as Array<{
        jobId?: string;
      }>;
      const jobId = episodes[0]?.jobId ?? '';

      // Act: the Series tab, then the daily series from the keyboard.
      await page.click('#tab-series');
      await page.locator('#series-list li[data-series-id]').nth(1).waitFor();
      const cards = await page.$$eval('#series-list li[data-series-id]', (lis) =>
        lis.map((li) => ({ id: li.getAttribute('data-series-id'), text: li.textContent })),
      );
      await page.focus(`#series-list li[data-series-id="${daily}"] a`);
      await page.keyboard.press('Enter');
      const panel = page.locator(`#series-detail[data-rendered-series="${daily}"]`);
      await panel.waitFor();
      await page.locator('#episode-list li[data-status="COMPLETED"] a.episode-job').waitFor();
      const detail = {
        state: await page.textContent('#series-state'),
        live: await page.getAttribute('#series-state', 'aria-live'),
        schedule: await page.textContent('#series-schedule'),
        today: await page.textContent('#series-today'),
        next: await page.textContent('#series-next'),
        toggle: await page.textContent('#series-toggle'),
        focused: await page.evaluate(
          () =>
            (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement
              .id,
        ),
        episodes: await page.$$eval('#episode-list li', (lis) =>
          lis.map((li) => ({ status: li.getAttribute('data-status'), text: li.textContent })),
        ),
        jobLink: await page.getAttribute('#episode-list a.episode-job', 'href'),
      };
      const violations = await seriousAccessibilityViolations(page);
      await screenshot(page, 'series-1280');
      await page.setViewportSize({ width: 390, height: 844 });
      const phoneOverflow = await horizontalOverflow(page);
      const top = async (selector: string) => (await page.locator(selector).boundingBox())?.y ?? -1;
      const detailFirstOnPhone = (await top('#series-detail')) < (await top('#series-list'));
      await screenshot(page, 'series-390');

      // Act: the episode's job, then back.
      await page.click('#episode-list a.episode-job');
      await page.locator(`#job[data-rendered-job="${jobId}"]`).waitFor();
      const jobStatus = await page.getAttribute('#job-status', 'data-status');
      await page.goBack();
      await page.locator(`#series-detail[data-rendered-series="${daily}"]`).waitFor();

      // Assess
      expect(cards.map((c) => c.id).sort()).toEqual([daily, weekly].sort());
      const card = (id: string) => cards.find((c) => c.id === id)?.text ?? '';
      expect(card(daily)).toContain('Lighthouses at every hour');
      expect(card(daily)).toContain('every day · 1 of 1 today');
      expect(card(daily)).toContain('QUOTA REACHED');
      expect(card(weekly)).toContain('every Monday at 09:00 (Europe/Paris) · 0 of 2 today');
      expect(detail).toMatchObject({
        state: "today's quota reached (1 of 1); goes on tomorrow",
        live: 'polite',
        schedule: 'every day',
        today: '1 of 1 today',
        toggle: 'Pause',
        focused: 'series-name',
        jobLink: `#${jobId}`,
      });
      expect(detail.next).toMatch(/^in 2[34] h/);
      expect(detail.episodes.map((e) => e.status)).toEqual(['COMPLETED', 'PENDING']);
      expect(detail.episodes[0]?.text).toContain('1. dawn');
      expect(detail.episodes[1]?.text).toContain('not made yet');
      expect(violations).toEqual([]);
      expect(phoneOverflow).toBe(0);
      expect(detailFirstOnPhone).toBe(true);
      expect(jobStatus).toBe('COMPLETED');
    },
    ONE_JOB_TEST_MS,
  );

  test('pause and resume from the console reach the series and its schedule, and a reload keeps the series', async () => {
    // Prepare: the weekly series, opened by its URL.
    expect(weekly).not.toBe('');
    await page.goto(`${h.web.url}/#series/${weekly}`);
    const toggle = page.locator('#series-toggle');
    await page.locator(`#series-detail[data-rendered-series="${weekly}"]`).waitFor();
    const nextBefore = await page.textContent('#series-next');

    // Act: pause.
    await toggle.click();
    await page.locator('#series-detail[data-state="paused"]').waitFor();
    const paused = {
      state: await page.textContent('#series-state'),
      toggle: await toggle.textContent(),
      next: await page.textContent('#series-next'),
      api: (await call('GET', `/series/${weekly}`)).body.state,
      schedule: await scheduleState(weekly),
    };
    await page.reload();
    await page.locator(`#series-detail[data-rendered-series="${weekly}"][data-state="paused"]`).waitFor();
    // Act: resume, from the keyboard.
    await toggle.focus();
    await page.keyboard.press('Enter');
    await page.locator('#series-detail[data-state="active"]').waitFor();
    const resumed = {
      toggle: await toggle.textContent(),
      api: (await call('GET', `/series/${weekly}`)).body.state,
      schedule: await scheduleState(weekly),
    };

    // Assess
    expect(nextBefore).toMatch(/\(Mon 09:00 Europe\/Paris\)$/);
    expect(paused).toEqual({
      state: 'paused: no episode is made until you resume it',
      toggle: 'Resume',
      next: 'none while paused',
      api: 'paused',
      schedule: 'DISABLED',
    });
    expect(resumed).toEqual({ toggle: 'Pause', api: 'active', schedule: 'ENABLED' });
  }, 120_000);
});

describe("the form's language and style pictures", () => {
  test('the language list offers what narration speaks; a language none speaks is refused beside its field', async () => {
    // Act: a tag that is well-formed but spoken by no narration model (the api's check, not the form's).
    const offered = await page.$$eval('#languages option', (options) =>
      options.map((o) => o.getAttribute('value')),
    );
    await fillForm(page, { prompt: 'a harbour at dawn', narration: true });
    await page.fill('#language', 'tlh');
    await page.click('#submit');
    const error = page.locator('#language-error').filter({ hasText: /./ });
    await error.waitFor({ timeout: 120_000 });
    const refusal = {
      text: await error.textContent(),
      invalid: await page.getAttribute('#language', 'aria-invalid'),
      jobShown: await page.isVisible('#job'),
    };
    await page.fill('#language', 'vi');
    const afterFix = await page.textContent('#language-error');

    // Assess
    expect(offered).toEqual(expect.arrayContaining(['en', 'vi', 'fr', 'ja']));
    expect(refusal).toEqual({
      text: expect.stringContaining('no narration model speaks "tlh"'),
      invalid: 'true',
      jobShown: false,
    });
    expect(afterFix).toBe('');
  }, 180_000);

  test('style pictures go up as uploads and the job is sent with them and its language', async () => {
    // Prepare: a picture, and the form of a prompt job in Vietnamese.
    const picture = join(mkdtempSync(join(tmpdir(), 'console-style-')), 'dusk.png');
    // biome-ignore format: ffmpeg arguments read best as option/value pairs
    execFileSync(findFfmpeg().ffmpeg, [
      '-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=orange:s=64x36', '-frames:v', '1', picture,
    ]);
    await fillForm(page, { prompt: 'một ngọn hải đăng lúc hoàng hôn' });
    await page.fill('#language', 'vi');

    // Act
    await page.setInputFiles('#style-files', picture);
    const uploaded = page.locator('#style-refs li[data-state="uploaded"]');
    await uploaded.waitFor({ timeout: 120_000 });
    const uploadId = await uploaded.getAttribute('data-upload-id');
    const preview = await page.locator('#style-refs li img').count();
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/jobs'));
    await page.click('#submit');
    const body = JSON.parse((await sent).postData() ?? '{}');
    await page
      .locator('#job-id')
      .filter({ hasText: /^[0-9A-Z]{26}$/ })
      .waitFor({ timeout: 120_000 });
    const jobId = (await page.textContent('#job-id')) ?? '';
    const { job } = await getJob(h, jobId);
    const leftInForm = await page.locator('#style-refs li').count();
    // The job itself is not what is tested here: stop it.
    await call('POST', `/jobs/${jobId}/cancel`, {});

    // Assess
    expect(uploadId).toMatch(/^[0-9A-Z]{26}$/);
    expect(preview).toBe(1);
    expect(body).toMatchObject({ language: 'vi', styleReferences: [uploadId] });
    expect(job.spec).toMatchObject({ language: 'vi', styleReferences: [uploadId] });
    expect(leftInForm).toBe(0);
  }, 180_000);
});
