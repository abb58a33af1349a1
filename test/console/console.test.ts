/**
 * The console as a user drives it, in Debian's chromium: submit a job and watch it end, play and
 * download its video with its captions, regenerate it, cancel another, upload clips by drag and drop,
 * page through the history. Jobs are tiny (2 scenes of 1 s at 480p, no music or narration) and every
 * wait for a job is bounded by the job's own deadline (see console-harness.ts).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFfmpeg } from '@reelay/media';
import type { Page } from 'playwright-core';
import { TEST_STAGE } from '../support/test-stage';
import { horizontalOverflow, screenshot, seriousAccessibilityViolations } from './browser';
import {
  type ApiJob,
  type ConsoleHarness,
  expectJobToComplete,
  getJob,
  ONE_JOB_TEST_MS,
  openConsole,
  pageShowsStatus,
  startConsoleHarness,
  submitFromForm,
  USER,
  waitForJobToEnd,
} from './console-harness';
import { describeOriginChecks } from './console-origin';

let h: ConsoleHarness;
let page: Page;
/**
 * The job the first test completes; the reload, gallery and regenerate tests look at it again (no
 * second job to wait for).
 */
let completed: ApiJob | undefined;

beforeAll(async () => {
  h = await startConsoleHarness(TEST_STAGE);
}, 300_000);
afterAll(async () => h?.close());

/** What the test reads of the <video> and its captions <track> (the root tsconfig has no DOM types). */
interface TrackElement {
  kind: string;
  readyState: number;
  track: { mode: string; cues: ArrayLike<{ startTime: number; endTime: number; text: string }> | null };
  addEventListener(type: string, listener: () => void, options: { once: boolean }): void;
}
interface VideoElement {
  readyState: number;
  duration: number;
  error: { code: number } | null;
  addEventListener(type: string, listener: (e: unknown) => void, options: { once: boolean }): void;
  querySelectorAll(selector: string): ArrayLike<TrackElement>;
}

describe('the console', () => {
  beforeEach(async () => {
    page = await openConsole(h);
  }, 300_000);
  afterEach(async () => {
    h?.cloud.chaos.clear();
    await page?.close();
  });

  test('the empty console explains itself: example prompts, a form that follows the recipe, errors beside their fields', async () => {
    // The first test of the suite: the user has no jobs yet.
    await page.locator('#history-empty:not([hidden])').waitFor();
    const examples = await page.$$eval('#examples button', (b) => b.map((x) => x.textContent));
    const emptyViolations = await seriousAccessibilityViolations(page);
    await screenshot(page, 'empty');
    const visible = async () => ({
      prompt: await page.isVisible('#prompt'),
      scenes: await page.isVisible('#scenes'),
      narration: await page.isVisible('#narration'),
      uploads: await page.isVisible('#drop'),
      help: await page.textContent('#recipe-help'),
    });

    // Act: each recipe in turn; then a prompt job without a prompt, then the prompt typed in.
    const forms: Record<string, Awaited<ReturnType<typeof visible>>> = {};
    for (const recipe of ['prompt', 'merge', 'soundtrack', 'story']) {
      await page.selectOption('#recipe', recipe);
      forms[recipe] = await visible();
    }
    await page.selectOption('#recipe', 'prompt');
    await page.fill('#prompt', '');
    await page.fill('#scenes', '40');
    await page.click('#submit');
    const errors = {
      prompt: await page.textContent('#prompt-error'),
      scenes: await page.textContent('#scenes-error'),
    };
    await page.fill('#prompt', 'a heron in the reeds');
    const promptErrorAfterFix = await page.textContent('#prompt-error');
    await page.fill('#scenes', '2');
    const scenesErrorAfterFix = await page.textContent('#scenes-error');
    await page.click('#examples button >> nth=0');

    // Assess
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(emptyViolations).toEqual([]);
    expect(forms.prompt).toMatchObject({ prompt: true, scenes: true, narration: true });
    expect(forms.merge).toMatchObject({ prompt: false, scenes: false, narration: false, uploads: true });
    expect(forms.soundtrack).toMatchObject({ prompt: true, scenes: false, uploads: true });
    expect(forms.story).toMatchObject({ scenes: false, uploads: true });
    expect(new Set(Object.values(forms).map((f) => f.help)).size).toBe(4);
    expect(errors.prompt).toBe('The prompt recipe needs a prompt');
    expect(errors.scenes).toBe('Scenes: at most 12');
    expect(promptErrorAfterFix).toBe('');
    expect(scenesErrorAfterFix).toBe('');
    expect(await page.inputValue('#prompt')).toBe(examples[0]);
    expect(await page.textContent('#submit-error')).toBe('');
  });

  test('a 390 px wide phone shows the console without horizontal scrolling, the operator view too', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const jobs = await horizontalOverflow(page);
    await screenshot(page, 'empty-390');
    await page.click('#tab-ops');
    await page.locator('#queues tr[data-queue]').first().waitFor({ timeout: 60_000 });
    const ops = await horizontalOverflow(page);
    const opsViolations = await seriousAccessibilityViolations(page);
    await screenshot(page, 'operator-390');

    expect({ jobs, ops }).toEqual({ jobs: 0, ops: 0 });
    expect(opsViolations).toEqual([]);
  });

  test(
    'a submitted job shows every scene done, plays its video with loaded captions, shows its cost and downloads',
    async () => {
      const jobId = await submitFromForm(page, { prompt: 'a paper boat on a puddle' });

      const record = await expectJobToComplete(h, jobId);
      await pageShowsStatus(page, 'COMPLETED');
      await page.locator('#player:not([hidden])').waitFor();
      const video = await page.$eval('#video', async (v: VideoElement) => {
        if (v.readyState < 1)
          await new Promise((ok, fail) => {
            v.addEventListener('loadedmetadata', ok, { once: true });
            v.addEventListener('error', fail, { once: true });
          });
        const tracks = Array.from(v.querySelectorAll('track'));
        // A track loads its WebVTT once shown (or hidden); readyState 2 is loaded, 3 is an error.
        for (const t of tracks) {
          t.track.mode = 'hidden';
          if (t.readyState < 2)
            await new Promise<void>((ok) => {
              t.addEventListener('load', ok, { once: true });
              t.addEventListener('error', ok, { once: true });
            });
        }
        return {
          duration: v.duration,
          error: v.error?.code ?? null,
          tracks: tracks.map((t) => ({ kind: t.kind, readyState: t.readyState })),
          cues: Array.from(tracks[0]?.track.cues ?? []).map((c) => ({
            start: c.startTime,
            end: c.endTime,
            text: c.text,
          })),
        };
      });
      const downloading = page.waitForEvent('download');
      await page.click('#download');
      const download = await downloading;
      const downloaded = await download.path();
      await screenshot(page, 'completed-job');

      const scenes = await page.$$eval('.scene', (rows) =>
        rows.map((r) => (r as unknown as { dataset: { status?: string } }).dataset.status),
      );
      expect(scenes).toHaveLength(record.scenes.length);
      expect(scenes.length).toBeGreaterThanOrEqual(2);
      expect(scenes.every((s) => s === 'ready')).toBe(true);
      expect(await page.$$eval('.scene .state', (s) => s.map((x) => x.textContent))).toEqual(
        record.scenes.map(() => 'done'),
      );
      expect(video.error).toBeNull();
      expect(video.duration).toBeCloseTo(record.output?.durationSec ?? Number.NaN, 1);
      // The captions are loaded: one cue per scene, in order, from the start to the end of the video.
      expect(video.tracks).toEqual([{ kind: 'captions', readyState: 2 }]);
      expect(video.cues).toHaveLength(record.scenes.length);
      expect(video.cues[0]?.start).toBe(0);
      expect(Math.abs((video.cues.at(-1)?.end ?? 0) - video.duration)).toBeLessThan(0.15);
      expect(video.cues.every((c, i) => c.end > c.start && c.start === (video.cues[i - 1]?.end ?? 0))).toBe(
        true,
      );
      // Rendered by the local twin of Replicate: the cost is what Replicate would charge, an estimate.
      expect(record.scenes.some((s) => s.provider === 'local')).toBe(true);
      expect(await page.textContent('#job-cost')).toBe(`$${record.costUsd.toFixed(4)} (estimate)`);
      const sceneCosts = await page.$$eval('.scene span:last-child', (spans) =>
        spans.map((x) => x.textContent),
      );
      expect(sceneCosts).toEqual(
        record.scenes.map(
          (s) => `$${(s.costUsd ?? 0).toFixed(4)}${s.provider === 'local' ? ' (estimate)' : ''}`,
        ),
      );
      expect(
        await page.$$eval('#waterfall .bar', (bars) => bars.map((b) => b.getAttribute('data-stage'))),
      ).toEqual(
        expect.arrayContaining(['queued → planned', 'rendering scenes', 'composing', 'scene 1', 'scene 2']),
      );
      // Composing is measured from the last scene ready (when the composer starts), as the record's durations are.
      expect(await page.textContent('#waterfall .bar[data-stage="composing"] em')).toBe(
        `composing ${record.durations.renderedToComposedSec?.toFixed(2)} s`,
      );
      // The panel says what the job is, where it is and how long it took; so does the tab.
      expect(await page.textContent('#job-prompt')).toBe('a paper boat on a puddle');
      expect(await page.textContent('#job-phase')).toBe('done');
      expect(await page.textContent('#job-timer')).toMatch(/^took \d+/);
      expect(await page.title()).toBe('✓ Done · Reelay');
      expect(await page.getAttribute('#job-phase', 'aria-live')).toBe('polite');
      expect(download.suggestedFilename()).toBe(`${jobId}.mp4`);
      const bytes = readFileSync(downloaded);
      expect(bytes.length).toBe(record.output?.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(record.output?.sha256);
      const doneViolations = await seriousAccessibilityViolations(page);
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await horizontalOverflow(page);
      await screenshot(page, 'completed-job-390');
      expect(doneViolations).toEqual([]);
      expect(overflow).toBe(0);
      completed = record;
    },
    ONE_JOB_TEST_MS,
  );

  test('a reload keeps the job on screen, and its polling rides out gateway errors with back-off', async () => {
    // Prepare: the job the first test submitted from the form, still on its page's URL; after the
    // reload the gateway answers the job's first two reads with 502, as a timed-out invocation does.
    expect(completed).toBeDefined();
    const jobId = completed?.jobId ?? '';
    await page.goto(`${h.web.url}/#${jobId}`);
    await page.locator(`#job[data-rendered-job="${jobId}"]`).waitFor({ timeout: 60_000 });
    const url = page.url();
    let failing = 2;
    await page.route(`**/api/jobs/${jobId}`, (route) =>
      failing-- > 0
        ? route.fulfill({ status: 502, contentType: 'application/json', body: '{"message":"Bad Gateway"}' })
        : route.continue(),
    );

    // Act
    await page.reload();
    const lostTouch = page.locator('#job-connection', { hasText: 'answered 502' });
    await lostTouch.waitFor({ timeout: 60_000 });
    const said = (await lostTouch.textContent()) ?? '';

    // Assess
    await page.locator(`#job[data-rendered-job="${jobId}"]`).waitFor({ timeout: 60_000 });
    await pageShowsStatus(page, 'COMPLETED');
    expect(url.endsWith(`#${jobId}`)).toBe(true);
    expect(said).toMatch(/trying again in \d+ s/);
    expect(failing).toBeLessThan(0);
    expect(await page.textContent('#job-id')).toBe(jobId);
    expect(await page.textContent('#job-connection')).toBe('');
    await page.unroute(`**/api/jobs/${jobId}`);
  });

  test("the gallery shows the user's finished jobs with their thumbnail, prompt, recipe, length and status", async () => {
    expect(completed).toBeDefined();
    const jobId = completed?.jobId ?? '';
    const card = page.locator(`#history li[data-job-id="${jobId}"]`);
    await card.and(page.locator('[data-thumbnail="true"]')).waitFor({ timeout: 60_000 });

    // Read once the picture has loaded or failed (on a busy machine it may still be on its way).
    const thumbnail = await card.locator('img').evaluate(async (img) => {
      const i = img as unknown as {
        naturalWidth: number;
        complete: boolean;
        src: string;
        addEventListener(type: string, listener: () => void, options: { once: boolean }): void;
      };
      if (!i.complete)
        await new Promise<void>((done) => {
          i.addEventListener('load', done, { once: true });
          i.addEventListener('error', done, { once: true });
        });
      return { loaded: i.naturalWidth > 0, src: i.src };
    });
    const text = (await card.textContent()) ?? '';
    await screenshot(page, 'gallery');

    expect(thumbnail.loaded).toBe(true);
    expect(thumbnail.src).toContain('/s3/');
    expect(text).toContain('a paper boat on a puddle');
    expect(text).toContain('prompt');
    expect(text).toContain(`${completed?.output?.durationSec.toFixed(1)} s`);
    expect(text).toContain('COMPLETED');
  });

  test(
    'regenerate can change any option, and from the click on the panel shows only the new job',
    async () => {
      // Prepare: a finished job on the panel (the first test's, opened by its URL), and a watch on
      // which job the panel draws.
      expect(completed).toBeDefined();
      const first = completed?.jobId ?? '';
      await page.goto(`${h.web.url}/#${first}`);
      await page.locator(`#job[data-rendered-job="${first}"]`).waitFor({ timeout: 60_000 });
      await pageShowsStatus(page, 'COMPLETED');
      await page.evaluate(() => {
        const g = globalThis as unknown as {
          document: { getElementById(id: string): { getAttribute(n: string): string | null } };
          MutationObserver: new (cb: () => void) => { observe(el: unknown, o: unknown): void };
          drawn: Array<string | null>;
        };
        const panel = g.document.getElementById('job');
        g.drawn = [];
        new g.MutationObserver(() => g.drawn.push(panel.getAttribute('data-rendered-job'))).observe(panel, {
          attributes: true,
          attributeFilter: ['data-rendered-job'],
        });
      });

      // Act: change the prompt and the number of scenes in the form the job's spec fills.
      await page.click('#regen-edit');
      expect(await page.inputValue('#prompt')).toBe('a paper boat on a puddle');
      await page.fill('#prompt', 'a blue kite over a snowy field');
      await page.fill('#scenes', '1');
      await page.click('#submit');
      const atTheClick = await page.evaluate(() => {
        const { document } = globalThis as unknown as {
          document: {
            getElementById(id: string): { getAttribute(n: string): string | null; children: unknown[] };
          };
        };
        return {
          drawn: document.getElementById('job').getAttribute('data-rendered-job'),
          scenes: document.getElementById('scene-list').children.length,
        };
      });
      await page
        .locator('#job-id', { hasNotText: first })
        .filter({ hasText: /^[0-9A-Z]{26}$/ })
        .waitFor({
          timeout: 120_000,
        });
      const second = (await page.textContent('#job-id')) ?? '';
      const record = await expectJobToComplete(h, second);
      await pageShowsStatus(page, 'COMPLETED');
      await screenshot(page, 'regenerated-job');
      const drawn = await page.evaluate(
        () => (globalThis as unknown as { drawn: Array<string | null> }).drawn,
      );

      // Assess: at the click the first job left the panel, and it never came back; the new job has the changes.
      expect(atTheClick).toEqual({ drawn: null, scenes: 0 });
      expect(drawn.filter((id) => id !== null)).not.toContain(first);
      expect(drawn.filter((id) => id !== null)).toContain(second);
      expect(await page.$$eval('#scene-list .scene', (rows) => rows.length)).toBe(record.scenes.length);
      expect(second).toMatch(/^[0-9A-Z]{26}$/);
      expect(record.parentJobId).toBe(first);
      expect(record.spec.prompt).toBe('a blue kite over a snowy field');
      expect((record.spec as { scenes?: number }).scenes).toBe(1);
      expect(page.url().endsWith(`#${second}`)).toBe(true);
    },
    ONE_JOB_TEST_MS,
  );

  test(
    'cancel asks first, shows it is cancelling, then the job reads CANCELLED and every scene ends',
    async () => {
      // Prepare: the plan goes through, the scenes' rendering is held, so the job is surely mid-way.
      h.cloud.chaos.hold({ queue: /generator/, detailType: 'ScenePlanned' });
      const jobId = await submitFromForm(page, { prompt: 'a snail crossing a road' });
      await page.locator('#scene-list .scene[data-state="rendering"]').nth(1).waitFor({ timeout: 120_000 });
      await screenshot(page, 'running-job');
      const running = await seriousAccessibilityViolations(page);

      // Act: Cancel asks; the confirmation sends it.
      await page.click('#cancel');
      const asked = await page.isVisible('#cancel-confirm');
      const statusWhenAsked = (await getJob(h, jobId)).job.status;
      await page.click('#cancel-confirm');
      const record = await waitForJobToEnd(h, jobId);
      await pageShowsStatus(page, 'CANCELLED');
      await screenshot(page, 'cancelled-job');

      // Assess
      expect(asked).toBe(true);
      expect(['PLANNED', 'RENDERING']).toContain(statusWhenAsked);
      expect(running).toEqual([]);
      expect(record.status).toBe('CANCELLED');
      expect(record.failure).toMatchObject({ stage: 'cancel', code: 'CANCELLED' });
      expect(await page.textContent('#job-status')).toBe('CANCELLED');
      expect(await page.textContent('#job-phase')).toBe('cancelled');
      expect(await page.textContent('#job-failure')).toContain('CANCELLED');
      const states = await page.$$eval('#scene-list .scene .state', (s) => s.map((x) => x.textContent));
      expect(states.length).toBe(record.scenes.length);
      expect(states.length).toBeGreaterThanOrEqual(2);
      expect(states.every((s) => s === 'cancelled' || s === 'done')).toBe(true);
      expect(await page.$$eval('#waterfall .bar em', (e) => e.map((x) => x.textContent ?? ''))).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/…$/)]),
      );
      expect(await page.isDisabled('#cancel')).toBe(true);
    },
    ONE_JOB_TEST_MS,
  );

  test(
    'a job beyond the per-user limit shows QUEUED with what it waits for, and cancelling it ends it unstarted',
    async () => {
      // Prepare: the user runs as many jobs as the api allows (10, serverless.yml maxConcurrentJobs),
      // held before the generator so they stay running and cost nothing: submitted until one waits.
      h.cloud.chaos.hold({ queue: /generator/ });
      const held: Array<{ jobId: string; status: string }> = [];
      try {
        while (held.at(-1)?.status !== 'QUEUED' && held.length <= MAX_CONCURRENT_JOBS)
          held.push(await submitByApi(`a held job ${held.length}`));
        // Act: one more from the form, then cancel it from the page.
        const jobId = await submitFromForm(page, { prompt: 'a kite waiting its turn', scenes: 1 });
        await pageShowsStatus(page, 'QUEUED');
        const waiting = (await page.textContent('#job-waiting')) ?? '';
        await screenshot(page, 'queued-job');
        await page.click('#cancel');
        await page.click('#cancel-confirm');
        const record = await waitForJobToEnd(h, jobId);
        await pageShowsStatus(page, 'CANCELLED');

        // Assess
        expect(held.at(-1)?.status).toBe('QUEUED');
        expect(held.filter((j) => j.status === 'REQUESTED').length).toBeLessThanOrEqual(MAX_CONCURRENT_JOBS);
        expect(waiting).toContain('starts when one of them ends');
        expect(record.failure).toMatchObject({ stage: 'cancel', code: 'CANCELLED' });
        // It never started: nothing was requested of the pipeline for it, nothing charged.
        expect(record.timeline.map((t) => t.detailType)).not.toContain('JobRequested');
        expect(record.costUsd).toBe(0);
        expect(await page.textContent('#job-waiting')).toBe('');
      } finally {
        await Promise.all(
          held.map((r) =>
            fetch(`${h.cloud.endpoints.api}/jobs/${r.jobId}/cancel`, {
              method: 'POST',
              headers: { authorization: `Bearer ${h.cloud.token(USER)}` },
            }),
          ),
        );
      }
    },
    ONE_JOB_TEST_MS,
  );

  test(
    'clips dropped on the form go up through the presigned POST and are the scenes of a merge job',
    async () => {
      const clips = [makeClip('first', 'red'), makeClip('second', 'blue')];
      // A text file is refused with a readable error inside its own card, and can be removed.
      const notes = join(mkdtempSync(join(tmpdir(), 'console-notes-')), 'notes.txt');
      writeFileSync(notes, 'not a video');
      await page.setInputFiles('#files', notes);
      const refused = page.locator('#uploads li[data-state="failed"]');
      await refused.waitFor({ timeout: 60_000 });
      const refusal = await refused.evaluate((li) => {
        const el = li as unknown as { scrollWidth: number; clientWidth: number; textContent: string };
        return { fits: el.scrollWidth <= el.clientWidth, text: el.textContent };
      });
      await refused.locator('button').click();
      const afterRemove = await page.$$eval('#uploads li', (items) => items.length);
      expect(refusal.fits).toBe(true);
      expect(refusal.text).toContain('notes.txt');
      expect(afterRemove).toBe(0);

      // Drop both files at once, as a user dragging them from a file manager.
      await dropFiles(page, '#drop', clips);
      await page.locator('#uploads li[data-state="uploaded"]').nth(1).waitFor({ timeout: 120_000 });
      const uploadIds = await page.$$eval('#uploads li', (items) =>
        items.map((li) => li.getAttribute('data-upload-id')),
      );
      const jobId = await submitFromForm(page, { recipe: 'merge', captions: false });
      const record = await expectJobToComplete(h, jobId);
      await pageShowsStatus(page, 'COMPLETED');
      await screenshot(page, 'dropped-uploads-job');

      expect(uploadIds).toHaveLength(2);
      expect(uploadIds.every((id) => /^[0-9A-Z]{26}$/.test(id ?? ''))).toBe(true);
      expect(record.spec.recipe).toBe('merge');
      expect(record.spec.uploads).toEqual(uploadIds);
      expect(record.scenes.map((s) => s.kind)).toEqual(['upload', 'upload']);
      // The uploaded bytes are what the job used: two 1 s clips, joined.
      expect(record.output?.durationSec).toBeGreaterThan(1.2);
      expect(record.output?.durationSec).toBeLessThan(2.2);
      expect(await page.$$eval('#uploads li', (items) => items.length)).toBe(0);
    },
    ONE_JOB_TEST_MS,
  );

  test("the history pages through the user's jobs, newest first, without gaps or repeats", async () => {
    const jobs = await listAllJobs();
    while (jobs.length < 3) {
      await submitFromForm(page, { prompt: `a job for the history ${jobs.length}` });
      jobs.splice(0, jobs.length, ...(await listAllJobs()));
    }
    const paged = await openConsole(h, '?pageSize=2');
    try {
      const shown = async () =>
        paged.$$eval('#history li', (items) => items.map((li) => li.getAttribute('data-job-id')));
      expect(await shown()).toHaveLength(2);
      while (await paged.isVisible('#history-more')) {
        const before = (await shown()).length;
        await paged.click('#history-more');
        await paged.waitForFunction(
          `document.querySelectorAll('#history li').length > ${before}`,
          undefined,
          {
            timeout: 60_000,
          },
        );
      }
      await screenshot(paged, 'history-pages');

      expect(await shown()).toEqual(jobs);
    } finally {
      await paged.close();
    }
  }, 600_000);
});

describeOriginChecks(() => h);

/** The api's default per-user limit of concurrent jobs (services/api serverless.yml `maxConcurrentJobs`). */
const MAX_CONCURRENT_JOBS = 10;

/** A tiny job submitted as the console's user straight to the API (1 scene of 1 s at 480p, nothing else). */
async function submitByApi(prompt: string): Promise<{ jobId: string; status: string }> {
  const res = await fetch(`${h.cloud.endpoints.api}/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.cloud.token(USER)}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      prompt,
      scenes: 1,
      secondsPerScene: 1,
      resolution: '480p',
      music: false,
      narration: false,
      captions: false,
    }),
  });
  if (res.status !== 202) throw new Error(`POST /jobs answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { jobId: string; status: string };
}

async function listAllJobs(): Promise<string[]> {
  const ids: string[] = [];
  let next: string | undefined;
  do {
    const res = await fetch(
      `${h.cloud.endpoints.api}/jobs?limit=50${next ? `&next=${encodeURIComponent(next)}` : ''}`,
      { headers: { authorization: `Bearer ${h.cloud.token(USER)}` } },
    );
    const body = (await res.json()) as { jobs: Array<{ jobId: string }>; next?: string };
    ids.push(...body.jobs.map((j) => j.jobId));
    next = body.next;
  } while (next);
  return ids;
}

/** A 1 s 320x180 H.264/AAC clip of one colour, made with the ffmpeg the cloud uses. */
function makeClip(name: string, colour: string): { name: string; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'console-clip-')), `${name}.mp4`);
  const { ffmpeg } = findFfmpeg();
  // biome-ignore format: ffmpeg arguments read best as option/value pairs
  execFileSync(ffmpeg, [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=${colour}:s=320x180:r=30:d=1`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path,
  ]);
  return { name: `${name}.mp4`, path };
}

/**
 * Drops files on an element with real drag events: a DataTransfer built in the page carrying the
 * files' bytes, dispatched as dragenter, dragover and drop, as a drag from the desktop delivers them.
 */
async function dropFiles(p: Page, selector: string, files: Array<{ name: string; path: string }>) {
  const payload = files.map((f) => ({ name: f.name, base64: readFileSync(f.path).toString('base64') }));
  const dataTransfer = await p.evaluateHandle((items) => {
    // The page's DataTransfer (the root tsconfig has no DOM types).
    const { DataTransfer } = globalThis as unknown as {
      DataTransfer: new () => { items: { add(file: File): void } };
    };
    const dt = new DataTransfer();
    for (const item of items) {
      const bytes = Uint8Array.from(atob(item.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], item.name, { type: 'video/mp4' }));
    }
    return dt;
  }, payload);
  for (const type of ['dragenter', 'dragover', 'drop'])
    await p.dispatchEvent(selector, type, { dataTransfer });
}
