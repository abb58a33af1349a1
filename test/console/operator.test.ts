/**
 * The console's operator view (local runner only), in Debian's chromium: every queue and DLQ with its
 * depth, a job's dead message shown and redriven after its cause is fixed (the job then completes), and
 * a replay of a time window of the bus archive that reports what it replayed and changes nothing.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { TEST_STAGE } from '../support/test-stage';
import { screenshot } from './browser';
import {
  type ApiJob,
  type ConsoleHarness,
  getJob,
  ONE_JOB_TEST_MS,
  openConsole,
  pageShowsStatus,
  startConsoleHarness,
  submitFromForm,
  waitForJob,
  waitForJobToEnd,
  waitForPipelineToSettle,
} from './console-harness';

const STAGE = TEST_STAGE;
const PLAN_RULE = `reelay-${STAGE}-generator-plan`;

let h: ConsoleHarness;
let page: Page;
/** The job of the first test, completed after its redrive; the replay test replays its window. */
let redrivenJob: ApiJob | undefined;

beforeAll(async () => {
  h = await startConsoleHarness(STAGE);
}, 300_000);
afterAll(async () => h?.close());
beforeEach(async () => {
  page = await openConsole(h);
}, 300_000);
afterEach(async () => {
  h?.cloud.chaos.clear();
  await page?.close();
});

describe('the operator view', () => {
  test(
    'a dead JobRequested is shown on its job, and redriven from the console once its cause is fixed the job completes',
    async () => {
      // The cause: the generator's plan rule cannot deliver the job's JobRequested (a missing permission),
      // so the event goes to the rule's DLQ, the generator's dead-letter handler fails the job, and the
      // ledger keeps the dead event on the job.
      h.cloud.chaos.denyDelivery({ ruleName: PLAN_RULE, detailType: 'JobRequested' });
      const jobId = await submitFromForm(page, { prompt: 'a lantern on a lake', captions: false });
      const failed = await waitForJobToEnd(h, jobId);
      await pageShowsStatus(page, 'FAILED');
      // The failure says where and why, and offers its redrive on the job itself.
      const failure = (await page.textContent('#job-failure')) ?? '';
      const redriveOnJob = await page.isVisible('#job-redrive');

      await page.click('#tab-ops');
      await page.locator('#queues tr[data-queue]').first().waitFor({ timeout: 60_000 });
      const rows = await page.$$eval('#queues tr[data-queue]', (trs) =>
        trs.map((tr) => ({
          queue: tr.getAttribute('data-queue'),
          canShow: tr.querySelector('button.show') !== null,
        })),
      );
      expect(await page.inputValue('#dead-job')).toBe(jobId);
      await page.click('#dead-show');
      await page.locator('#dead', { hasText: /^1 dead message/ }).waitFor({ timeout: 60_000 });
      const dead = (await page.textContent('#dead')) ?? '';
      await screenshot(page, 'dead-event');

      // The fix, then the redrive from the console.
      h.cloud.chaos.clear();
      await page.click('#dead-redrive');
      await page.locator('#dead-result', { hasText: '"sent":[{' }).waitFor({ timeout: 60_000 });
      const redrive = JSON.parse((await page.textContent('#dead-result')) ?? '{}');
      await page.locator('#dead', { hasText: '(redriven ' }).waitFor({ timeout: 60_000 });
      // A job that failed only by a dead letter completes once the redriven work is done.
      redrivenJob = await waitForJob(
        h,
        jobId,
        (j) => j.status === 'COMPLETED',
        'COMPLETED after its redrive',
      );
      await page.click('#tab-jobs');
      await pageShowsStatus(page, 'COMPLETED');
      await screenshot(page, 'redriven-job-completed');

      // Every queue of the cloud is listed, and the DLQs (queue and rule-target) can be opened.
      const queues = h.cloud.emulator.sqs.listQueueDepths().map((q) => q.name);
      expect(rows.map((r) => r.queue).sort()).toEqual([...queues].sort());
      expect(rows.filter((r) => r.canShow).map((r) => r.queue)).toEqual(
        expect.arrayContaining([`${PLAN_RULE}-dlq`, `${PLAN_RULE}-rule-dlq`]),
      );
      expect(failed.failure).toMatchObject({ stage: 'plan', code: 'DEAD_LETTER', retryable: true });
      expect(failure).toMatch(/^Failed at plan: [\s\S]+\(DEAD_LETTER\)$/);
      expect(redriveOnJob).toBe(true);
      expect(dead).toContain(`${PLAN_RULE}-rule-dlq -> ${PLAN_RULE}`);
      expect(dead).toContain('"detail-type":"JobRequested"');
      expect(dead).toContain(jobId);
      expect(redrive.sent).toEqual([{ deadLetterQueue: `${PLAN_RULE}-rule-dlq`, redriveTo: PLAN_RULE }]);
      expect(redrivenJob.failure).toBeUndefined();
      expect(redrivenJob).toMatchObject({ recoveredFailure: { stage: 'plan', code: 'DEAD_LETTER' } });
      expect(redrivenJob.output?.durationSec).toBeGreaterThan(0);
    },
    ONE_JOB_TEST_MS,
  );

  test('a replay of a time window started from the console reports what it replayed and changes nothing', async () => {
    if (!redrivenJob) throw new Error('needs the job of the previous test');
    const jobId = redrivenJob.jobId;
    await waitForPipelineToSettle(h);
    const before = await snapshot(jobId);
    const from = new Date(Date.parse(redrivenJob.createdAt ?? '') - 1000).toISOString();
    const to = new Date().toISOString();
    await page.click('#tab-ops');

    // A window that ends before it starts is refused with the reason.
    await page.fill('#replay-from', to);
    await page.fill('#replay-to', from);
    await page.click('#replay');
    await page.locator('#replay-result[data-state="refused"]').waitFor({ timeout: 60_000 });
    const refused = (await page.textContent('#replay-result')) ?? '';
    const refusedBesideField = (await page.textContent('#replay-error')) ?? '';

    // The job's whole window, to every rule of the bus.
    await page.fill('#replay-from', from);
    await page.fill('#replay-to', to);
    await page.fill('#replay-rules', '');
    await page.click('#replay');
    await page
      .locator('#replay-result[data-state]:not([data-state="refused"])')
      .waitFor({ timeout: 120_000 });
    const report = JSON.parse((await page.textContent('#replay-result')) ?? '{}');
    await waitForPipelineToSettle(h);
    await screenshot(page, 'replayed-window');
    const after = await snapshot(jobId);

    expect(refused).toContain('before');
    expect(refused).not.toContain('{');
    expect(refusedBesideField).toContain('before');
    expect(report).toMatchObject({ state: 'COMPLETED', from, to, rules: [] });
    expect(report.replayName).toMatch(/^reelay-replay-/);
    expect(report.archiveEventCount).toBeGreaterThanOrEqual(redrivenJob.timeline.length);
    expect(after).toEqual(before);
  }, 600_000);
});

/** What a replay must not change: the job's record, the predictions made, the final video. */
async function snapshot(jobId: string) {
  const { job } = await getJob(h, jobId);
  const { updatedAt: _u, links: _l, ...record } = job as ApiJob & { updatedAt?: string };
  const head = await h.cloud.clients.s3.send(
    new HeadObjectCommand({ Bucket: h.cloud.names.mediaBucket, Key: `jobs/${jobId}/final.mp4` }),
  );
  return {
    record,
    predictions: h.cloud.models.predictions().length,
    finalVideo: { etag: head.ETag, lastModified: head.LastModified?.toISOString() },
  };
}
