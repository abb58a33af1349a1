/**
 * What the console's browser tests share: an embedded cloud with the console in front of it and a
 * headless chromium, a page opened once the console has loaded, the job's record read from the API,
 * and waits whose deadlines come from the job's own deadline. Every wait that gives up says why: the
 * job's record (status, failure, stages, timeline), the queues that still hold work and the last
 * function logs, so a failure on a loaded machine explains itself.
 */
import { isEndedStatus } from '@reelay/job-records';
import type { Browser, Page } from 'playwright-core';
import { formatJob, type JobView } from '../../local/cli/jobs-format';
import { type EmbeddedCloud, startEmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import { type ConsoleServer, startConsoleServer } from '../../local/console/src';
import { launchChromium } from './browser';

export const USER = 'local-user';
/**
 * The deadline of every test job. It bounds how long a test waits for a job: the ledger's sweeper
 * (every minute) fails a job that is still open at its deadline, so by deadline + SWEEP_GRACE_MS a
 * job has ended or it is hanging, which is a bug. Generous, as a cold cloud on a loaded 2-core
 * machine is slow (a first request took over a minute in a full run).
 */
export const JOB_DEADLINE_SEC = 600;
export const SWEEP_GRACE_MS = 120_000;
/** Jest's limit for a test that runs one job (or two in a row) to its end. */
export const ONE_JOB_TEST_MS = (JOB_DEADLINE_SEC * 1000 + SWEEP_GRACE_MS) * 1.5;
/** The first page load and the first request of each API function include cold starts. */
const COLD_START_MS = 240_000;

/** GET /jobs/{id} as the tests read it: the ledger's record plus the api's additions. */
export type ApiJob = Omit<JobView, 'spec'> & {
  spec: { recipe?: string; prompt?: string; uploads?: string[]; deadlineSec?: number };
  parentJobId?: string;
  links?: { video: string; thumbnail: string; captions?: string };
  callbacks?: unknown;
};

export interface ConsoleHarness {
  cloud: EmbeddedCloud;
  web: ConsoleServer;
  browser: Browser;
  /** Function log lines, the last few hundred, for explanations. */
  logs: string[];
  close(): Promise<void>;
}

export async function startConsoleHarness(stage: string): Promise<ConsoleHarness> {
  const logs: string[] = [];
  const cloud = await startEmbeddedCloud({
    stage,
    onLog: (fn, line) => {
      logs.push(`${fn} ${line}`);
      if (logs.length > 400) logs.splice(0, logs.length - 400);
    },
  });
  let web: ConsoleServer | undefined;
  try {
    web = await startConsoleServer(cloud, { userId: USER });
    const browser = await launchChromium();
    const started = web;
    return {
      cloud,
      web: started,
      browser,
      logs,
      close: async () => {
        await browser.close().catch(() => undefined);
        await started.close().catch(() => undefined);
        await cloud.close();
      },
    };
  } catch (error) {
    await web?.close().catch(() => undefined);
    await cloud.close();
    throw error;
  }
}

/** A new tab on the console (path: e.g. `?pageSize=2`), once its form and first history page are in. */
export async function openConsole(h: ConsoleHarness, path = ''): Promise<Page> {
  const page = await h.browser.newPage();
  await page.goto(`${h.web.url}/${path}`);
  await page.locator('#recipe option').first().waitFor({ state: 'attached' });
  await page.locator('#history[data-state="loaded"]').waitFor({ state: 'attached', timeout: COLD_START_MS });
  return page;
}

export async function getJob(h: ConsoleHarness, jobId: string): Promise<{ status: number; job: ApiJob }> {
  const res = await fetch(`${h.cloud.endpoints.api}/jobs/${jobId}`, {
    headers: { authorization: `Bearer ${h.cloud.token(USER)}` },
  });
  return { status: res.status, job: (await res.json()) as ApiJob };
}

export interface JobForm {
  recipe?: string;
  prompt?: string;
  scenes?: number;
  seconds?: number;
  music?: boolean;
  narration?: boolean;
  captions?: boolean;
}

/**
 * Fills the submit form as a user would and submits it: tiny jobs by default (2 scenes of 1 s at 480p,
 * no music, no narration), with the tests' deadline. Returns the job id the page then shows.
 */
export async function submitFromForm(page: Page, form: JobForm = {}): Promise<string> {
  await fillForm(page, form);
  const before = (await page.textContent('#job-id')) ?? '';
  await page.click('#submit');
  // The job's id, or the error the form shows instead.
  await page
    .locator('#job-id', { hasNotText: before || '\u0000' })
    .filter({ hasText: /^[0-9A-Z]{26}$/ })
    .or(page.locator('#submit-error').filter({ hasText: /./ }))
    .waitFor({ timeout: COLD_START_MS });
  const error = (await page.textContent('#submit-error')) ?? '';
  if (error) throw new Error(`the console refused the job: ${error}`);
  return (await page.textContent('#job-id')) ?? '';
}

/**
 * Fills the fields the recipe shows (the form hides the ones its recipe does not take): tiny jobs by
 * default (2 scenes of 1 s at 480p, no music, no narration), with the tests' deadline.
 */
export async function fillForm(page: Page, form: JobForm = {}): Promise<void> {
  if (form.recipe) await page.selectOption('#recipe', form.recipe);
  const ifShown = async (selector: string, act: () => Promise<void>) => {
    if (await page.isVisible(selector)) await act();
  };
  await ifShown('#prompt', () => page.fill('#prompt', form.prompt ?? ''));
  await ifShown('#scenes', () => page.fill('#scenes', String(form.scenes ?? 2)));
  await ifShown('#seconds', () => page.fill('#seconds', String(form.seconds ?? 1)));
  await page.selectOption('#resolution', '480p');
  await ifShown('#music', () => page.setChecked('#music', form.music ?? false));
  await ifShown('#narration', () => page.setChecked('#narration', form.narration ?? false));
  await ifShown('#captions', () => page.setChecked('#captions', form.captions ?? true));
  await page.fill('#deadline', String(JOB_DEADLINE_SEC));
}

/**
 * Waits until the job's record passes `until`, by the job's own deadline plus the sweeper's grace, and
 * returns it. Gives up with an explanation when it has not by then.
 */
export async function waitForJob(
  h: ConsoleHarness,
  jobId: string,
  until: (job: ApiJob) => boolean,
  what: string,
): Promise<ApiJob> {
  let job = (await getJob(h, jobId)).job;
  const deadlineAt = job.deadlineAt
    ? Date.parse(job.deadlineAt)
    : Date.parse(job.createdAt ?? '') + (job.spec?.deadlineSec ?? JOB_DEADLINE_SEC) * 1000;
  const giveUpAt = (Number.isFinite(deadlineAt) ? deadlineAt : Date.now()) + SWEEP_GRACE_MS;
  while (!until(job) && Date.now() < giveUpAt) {
    await new Promise((r) => setTimeout(r, 500));
    const res = await getJob(h, jobId);
    if (res.status === 200) job = res.job;
  }
  if (!until(job))
    throw new Error(
      `job ${jobId} is not ${what} by its deadline + ${SWEEP_GRACE_MS / 1000} s\n${explain(h, job)}`,
    );
  return job;
}

/** Waits until the job has ended (COMPLETED, FAILED or CANCELLED): every job ends by its deadline. */
export const waitForJobToEnd = (h: ConsoleHarness, jobId: string) => waitForJob(h, jobId, isEnded, 'ended');

/** The job's record once it has ended; an explanation of what happened when it ended otherwise. */
export async function expectJobToComplete(h: ConsoleHarness, jobId: string): Promise<ApiJob> {
  const job = await waitForJobToEnd(h, jobId);
  if (job.status !== 'COMPLETED') throw new Error(`job ${jobId} ended ${job.status}\n${explain(h, job)}`);
  return job;
}

/** Waits for the page to show the job's status (it polls the API, so it follows shortly). */
export async function pageShowsStatus(page: Page, status: string): Promise<void> {
  await page.locator(`#job-status[data-status="${status}"]`).waitFor({ timeout: 60_000 });
}

const isEnded = (job: ApiJob) => isEndedStatus(job.status);

/** The job's record as `npm run jobs -- <id>` prints it, the queues still holding work, the last logs. */
export function explain(h: ConsoleHarness, job: ApiJob): string {
  const busy = h.cloud.emulator.sqs
    .listQueueDepths()
    .filter((q) => q.visible + q.inFlight + q.delayed > 0)
    .map(
      (q) =>
        `  ${q.name}: ${q.visible} visible, ${q.inFlight} in flight, ${q.delayed} delayed, oldest ${q.oldestMessageAgeSeconds} s`,
    );
  const record = job.scenes && job.timeline ? formatJob(job) : `${JSON.stringify(job)}\n`;
  return [
    record,
    `queues holding work:\n${busy.join('\n') || '  none'}`,
    `last function logs:\n${h.logs.slice(-40).join('\n')}`,
  ].join('\n');
}

/**
 * Waits until no work queue holds a message (visible, in flight or delayed) for a dozen checks in a
 * row (3 s); DLQs are left out (the ledger drains them). Gives up, with the busy queues, after 5 min.
 */
export async function waitForPipelineToSettle(h: ConsoleHarness): Promise<void> {
  const busyQueues = () =>
    h.cloud.emulator.sqs
      .listQueueDepths()
      .filter((q) => !q.name.endsWith('-dlq') && q.visible + q.inFlight + q.delayed > 0)
      .map((q) => q.name);
  const giveUpAt = Date.now() + 300_000;
  for (let quiet = 0; quiet < 12; ) {
    if (Date.now() > giveUpAt) throw new Error(`the pipeline never settled: ${busyQueues().join(', ')}`);
    await new Promise((r) => setTimeout(r, 250));
    quiet = busyQueues().length > 0 ? 0 : quiet + 1;
  }
}
