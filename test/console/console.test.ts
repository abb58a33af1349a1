/**
 * The console as a user drives it, in Debian's chromium: submit a job and watch it end, play and
 * download its video with its captions, regenerate it, cancel another, upload clips by drag and drop,
 * page through the history. Jobs are tiny (2 scenes of 1 s at 480p, no music or narration) and every
 * wait for a job is bounded by the job's own deadline (see console-harness.ts).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFfmpeg } from '@reelay/media';
import type { Page } from 'playwright-core';
import { TEST_STAGE } from '../support/test-stage';
import { screenshot } from './browser';
import {
  type ConsoleHarness,
  expectJobToComplete,
  ONE_JOB_TEST_MS,
  openConsole,
  pageShowsStatus,
  startConsoleHarness,
  submitFromForm,
  USER,
  waitForJobToEnd,
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
afterEach(async () => {
  h?.cloud.chaos.clear();
  await page?.close();
});

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
      expect(download.suggestedFilename()).toBe(`${jobId}.mp4`);
      const bytes = readFileSync(downloaded);
      expect(bytes.length).toBe(record.output?.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(record.output?.sha256);
    },
    ONE_JOB_TEST_MS,
  );

  test(
    'regenerate with a changed prompt starts a new job from the old one',
    async () => {
      const first = await submitFromForm(page, { prompt: 'a red kite over a beach' });
      await expectJobToComplete(h, first);
      await pageShowsStatus(page, 'COMPLETED');

      await page.fill('#regen-prompt', 'a blue kite over a snowy field');
      await page.click('#regenerate');
      await page.locator('#job-id', { hasNotText: first }).waitFor({ timeout: 120_000 });
      const second = (await page.textContent('#job-id')) ?? '';
      const record = await expectJobToComplete(h, second);
      await pageShowsStatus(page, 'COMPLETED');
      await screenshot(page, 'regenerated-job');

      expect(second).toMatch(/^[0-9A-Z]{26}$/);
      expect(record.parentJobId).toBe(first);
      expect(record.spec.prompt).toBe('a blue kite over a snowy field');
    },
    ONE_JOB_TEST_MS * 2,
  );

  test(
    'cancel stops a running job',
    async () => {
      // Hold the generator's work so the job is surely still running when it is cancelled.
      h.cloud.chaos.hold({ queue: /generator/ });
      const jobId = await submitFromForm(page, { prompt: 'a snail crossing a road' });
      await page.click('#cancel');
      const record = await waitForJobToEnd(h, jobId);
      await pageShowsStatus(page, 'FAILED');
      await page.locator('#job-status', { hasText: '(cancelled)' }).waitFor({ timeout: 60_000 });
      await screenshot(page, 'cancelled-job');

      expect(record.status).toBe('FAILED');
      expect(record.failure).toMatchObject({ stage: 'cancel', code: 'CANCELLED' });
      expect(await page.textContent('#job-failure')).toContain('CANCELLED');
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
        const record = await waitForJobToEnd(h, jobId);
        await pageShowsStatus(page, 'FAILED');

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
