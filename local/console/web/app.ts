/**
 * The Reelay local console: plain TypeScript, no framework. It talks only to the public HTTP API
 * (proxied at /api) and, in the operator view, to the local runner's /ops routes.
 */
import type { JobRecord } from '@reelay/job-records';
import { jobSpecSchema, RECIPES, RESOLUTIONS } from '../../../libs/events/src/job-spec';
import { costIsEstimate, costText, waterfall } from './job-view';

/**
 * GET /jobs/{id}: the ledger's record plus what the api adds (prompt history, presigned links), or the
 * api's own record while the job is QUEUED (the user runs as many jobs as the api allows at once).
 */
type ApiJobView = Omit<JobRecord, 'status'> & {
  status: JobRecord['status'] | 'QUEUED';
  history?: Array<{ jobId: string; prompt?: string }>;
  cancelledAt?: string;
  links?: { video: string; thumbnail: string; captions?: string; expiresAt: string };
};
interface Config {
  token: string;
  userId: string;
  s3: string;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const POLL_MS = 500;
/** A job that failed only by a dead message may still complete after a redrive: it is polled, slower. */
const RECOVERABLE_POLL_MS = 3000;
let config: Config;
let currentJob: string | undefined;
let pollTimer: number | undefined;
let shownStatus: string | undefined;
let historyCursor: string | undefined;
const uploadIds: string[] = [];
/** Files still going up: the job is not submitted before they are in (it would miss them). */
let uploading = 0;
/** The history page size: 10, or `?pageSize=N` in the console's URL. */
const HISTORY_PAGE = Math.min(
  Math.max(Number(new URLSearchParams(location.search).get('pageSize')) || 10, 1),
  50,
);

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${config.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** The console's operator routes want the same bearer token as the API (it carries the operator role). */
function opsFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${config.token}`);
  return fetch(path, { ...init, headers });
}

/** Presigned links name the local S3; the page reads them through the same-origin /s3 proxy. */
const viaProxy = (link: string) => link.replace(config.s3, '/s3');

function fillSelect(id: string, values: readonly string[], selected: string) {
  const select = $<HTMLSelectElement>(id);
  for (const v of values) select.add(new Option(v, v, v === selected, v === selected));
}

async function submit(event: Event) {
  event.preventDefault();
  const prompt = $<HTMLTextAreaElement>('prompt').value.trim();
  const deadline = $<HTMLInputElement>('deadline').value.trim();
  const spec = {
    recipe: $<HTMLSelectElement>('recipe').value,
    ...(prompt ? { prompt } : {}),
    scenes: Number($<HTMLInputElement>('scenes').value),
    secondsPerScene: Number($<HTMLInputElement>('seconds').value),
    resolution: $<HTMLSelectElement>('resolution').value,
    music: $<HTMLInputElement>('music').checked,
    narration: $<HTMLInputElement>('narration').checked,
    captions: $<HTMLInputElement>('captions').checked,
    ...(uploadIds.length ? { uploads: [...uploadIds] } : {}),
    ...(deadline ? { deadlineSec: Number(deadline) } : {}),
  };
  const checked = jobSpecSchema.safeParse(spec);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    $('submit-error').textContent = `${issue?.path.join('.')}: ${issue?.message}`;
    return;
  }
  const button = $<HTMLButtonElement>('submit');
  button.disabled = true;
  $('submit-error').textContent = '';
  const res = await api<{ jobId?: string; detail?: string }>('POST', '/jobs', spec)
    .catch((error: Error) => ({
      status: 0,
      body: { jobId: undefined, detail: `the api is unreachable: ${error.message}` },
    }))
    .finally(() => {
      button.disabled = uploading > 0;
    });
  if (res.status !== 202 || !res.body.jobId) {
    $('submit-error').textContent = res.body.detail ?? `the api answered ${res.status}`;
    return;
  }
  uploadIds.length = 0;
  $('uploads').textContent = '';
  // The job first, then the history around it: a slow list must not hide the job just submitted.
  watch(res.body.jobId);
  void loadHistory(true);
}

function watch(jobId: string) {
  currentJob = jobId;
  shownStatus = undefined;
  window.clearTimeout(pollTimer);
  $('job').hidden = false;
  $('job-id').textContent = jobId;
  $('player').hidden = true;
  $<HTMLVideoElement>('video').removeAttribute('src');
  $('job-error').textContent = '';
  void poll(jobId);
}

async function poll(jobId: string) {
  if (jobId !== currentJob) return;
  const res = await api<ApiJobView & { detail?: string }>('GET', `/jobs/${jobId}`).catch(() => undefined);
  if (jobId !== currentJob) return;
  try {
    if (res?.status === 200) render(res.body);
  } catch (error) {
    // A record the view cannot draw yet must not stop the polling: the next answer may draw.
    $('job-error').textContent = `cannot show this job: ${(error as Error).message}`;
  }
  const job = res?.status === 200 ? res.body : undefined;
  const final = job?.status === 'COMPLETED' || (job?.status === 'FAILED' && !job.failure?.retryable);
  // One timer at most, whoever polled (the timer, an action, a return to the tab).
  window.clearTimeout(pollTimer);
  if (!final)
    pollTimer = window.setTimeout(
      () => void poll(jobId),
      job?.status === 'FAILED' ? RECOVERABLE_POLL_MS : POLL_MS,
    );
  if (job && job.status !== shownStatus && (job.status === 'COMPLETED' || job.status === 'FAILED'))
    void loadHistory(true);
  shownStatus = job?.status ?? shownStatus;
}

function render(job: ApiJobView) {
  $('job-status').textContent = job.cancelledAt ? `${job.status} (cancelled)` : job.status;
  $('job-status').dataset.status = job.status;
  // A queued job shows no progress: say what it waits for, so it does not look stuck.
  $('job-waiting').textContent =
    job.status === 'QUEUED' && !job.cancelledAt
      ? 'Queued: you have as many jobs running as allowed at once; this one starts when one of them ends (oldest first).'
      : '';
  $('job-failure').textContent = job.failure
    ? `${job.failure.stage}: ${job.failure.code}: ${job.failure.reason}`
    : '';
  const scenes = $('scene-list');
  scenes.textContent = '';
  const count = job.sceneCount ?? job.scenes.length;
  for (const s of job.scenes) {
    const row = document.createElement('div');
    row.className = 'scene';
    row.dataset.status = s.status;
    row.innerHTML = `<span>scene ${s.sceneIndex + 1}/${count} (${s.kind})</span><span class="state"></span><span></span>`;
    (row.children[1] as HTMLElement).textContent = s.status === 'ready' ? 'done' : 'rendering';
    (row.children[2] as HTMLElement).textContent =
      s.status === 'ready' ? costText(s.costUsd ?? 0, s.provider === 'local') : '';
    scenes.append(row);
  }
  $('job-cost').textContent = costText(job.costUsd, costIsEstimate(job));
  $('waterfall').replaceChildren(waterfall(job));
  $<HTMLButtonElement>('cancel').disabled = job.status === 'COMPLETED' || job.status === 'FAILED';
  if (job.links && $('player').hidden) {
    const video = $<HTMLVideoElement>('video');
    video.replaceChildren();
    if (job.links.captions) {
      const track = document.createElement('track');
      Object.assign(track, { kind: 'captions', label: 'Captions', srclang: 'en', default: true });
      track.src = viaProxy(job.links.captions);
      video.append(track);
    }
    video.src = viaProxy(job.links.video);
    video.poster = viaProxy(job.links.thumbnail);
    $<HTMLAnchorElement>('download').href = viaProxy(job.links.video);
    $<HTMLAnchorElement>('download').download = `${job.jobId}.mp4`;
    $('player').hidden = false;
  }
}

let historyGeneration = 0;
async function loadHistory(reset: boolean) {
  if (reset) historyCursor = undefined;
  const generation = ++historyGeneration;
  const query = `?limit=${HISTORY_PAGE}${historyCursor ? `&next=${encodeURIComponent(historyCursor)}` : ''}`;
  const res = await api<{
    jobs?: Array<{ jobId: string; status: string; prompt?: string; spec?: { prompt?: string } }>;
    next?: string;
  }>('GET', `/jobs${query}`);
  // A later load (a submit while the first page loads) wins; its list replaces this one.
  if (res.status !== 200 || generation !== historyGeneration) return;
  if (reset) $('history').textContent = '';
  $('history').dataset.state = 'loaded';
  for (const j of res.body.jobs ?? []) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `#${j.jobId}`;
    a.textContent = `${j.jobId.slice(-8)} ${j.status} ${j.spec?.prompt ?? j.prompt ?? ''}`;
    a.onclick = () => watch(j.jobId);
    li.dataset.jobId = j.jobId;
    li.append(a);
    $('history').append(li);
  }
  historyCursor = res.body.next;
  $('history-more').hidden = !historyCursor;
}

async function jobAction(path: string, body?: unknown) {
  if (!currentJob) return;
  const res = await api<{ jobId?: string; detail?: string }>(
    'POST',
    `/jobs/${currentJob}${path}`,
    body ?? {},
  );
  if (res.status >= 300) {
    $('job-error').textContent = res.body.detail ?? `the api answered ${res.status}`;
    return;
  }
  if (res.body.jobId && res.body.jobId !== currentJob) watch(res.body.jobId);
  else void poll(currentJob);
  await loadHistory(true);
}

/** Uploads dropped files through POST /uploads and the presigned POST, as any client would. */
async function upload(files: FileList) {
  uploading += 1;
  $<HTMLButtonElement>('submit').disabled = true;
  try {
    for (const file of Array.from(files)) await uploadOne(file);
  } finally {
    uploading -= 1;
    $<HTMLButtonElement>('submit').disabled = uploading > 0;
  }
}

async function uploadOne(file: File) {
  const li = document.createElement('li');
  li.textContent = `${file.name}: uploading`;
  li.dataset.state = 'uploading';
  $('uploads').append(li);
  const failed = (why: string) => {
    li.textContent = `${file.name}: ${why}`;
    li.className = 'error';
    li.dataset.state = 'failed';
  };
  try {
    const res = await api<{
      uploadId?: string;
      url?: string;
      fields?: Record<string, string>;
      detail?: string;
    }>('POST', '/uploads', { contentType: file.type, bytes: file.size });
    if (res.status !== 201 || !res.body.uploadId || !res.body.url || !res.body.fields)
      return failed(res.body.detail ?? `refused (${res.status})`);
    const form = new FormData();
    for (const [k, v] of Object.entries(res.body.fields)) form.append(k, v);
    form.append('file', file);
    const posted = await fetch(viaProxy(res.body.url), { method: 'POST', body: form });
    if (!posted.ok) return failed(`the upload failed (${posted.status})`);
    uploadIds.push(res.body.uploadId);
    li.textContent = `${file.name}: uploaded`;
    li.dataset.state = 'uploaded';
    li.dataset.uploadId = res.body.uploadId;
  } catch (error) {
    failed(`the upload failed (${(error as Error).message})`);
  }
}

// ---- operator view (local runner only) ------------------------------------------------------------

interface QueueRow {
  name: string;
  visible: number;
  inFlight: number;
  oldestMessageAgeSeconds: number;
  isDeadLetterQueue: boolean;
}

async function loadQueues() {
  const res = await opsFetch('/ops/queues');
  if (!res.ok) return;
  const { queues } = (await res.json()) as { queues: QueueRow[] };
  const body = $('queues');
  body.textContent = '';
  for (const q of queues) {
    const tr = document.createElement('tr');
    tr.dataset.queue = q.name;
    for (const cell of [q.name, q.visible, q.inFlight, q.oldestMessageAgeSeconds]) {
      const td = document.createElement('td');
      td.textContent = String(cell);
      tr.append(td);
    }
    const actions = document.createElement('td');
    if (q.isDeadLetterQueue) {
      const show = document.createElement('button');
      show.textContent = 'show';
      show.className = 'show';
      show.onclick = () => void peek(q.name);
      const redrive = document.createElement('button');
      redrive.textContent = 'redrive';
      redrive.className = 'redrive';
      redrive.disabled = q.visible + q.inFlight === 0;
      redrive.onclick = () => void redriveQueue(q.name);
      actions.append(show, redrive);
    }
    tr.append(actions);
    body.append(tr);
  }
}

async function peek(queue: string) {
  const res = await opsFetch(`/ops/queues/${encodeURIComponent(queue)}/messages`);
  const { messages = [] } = (await res.json()) as {
    messages?: Array<{ body: string; receiveCount: number }>;
  };
  $('peek-title').textContent = `${queue}: ${messages.length} message(s)`;
  $('peek').textContent = messages.map((m) => `(received ${m.receiveCount}x) ${m.body}`).join('\n\n');
}

async function redriveQueue(queue: string) {
  const res = await opsFetch(`/ops/queues/${encodeURIComponent(queue)}/redrive`, { method: 'POST' });
  $('ops-result').textContent = `${queue}: ${JSON.stringify(await res.json())}`;
  await loadQueues();
}

interface DeadMessage {
  deadLetterQueue: string;
  redriveTo: string;
  stage: string;
  deadAt: string;
  error?: string;
  body: string;
  redrivenAt?: string;
}

async function showDead() {
  const jobId = $<HTMLInputElement>('dead-job').value.trim();
  const res = await opsFetch(`/ops/jobs/${encodeURIComponent(jobId)}/dead`);
  const body = (await res.json()) as { deadMessages?: DeadMessage[]; detail?: string };
  $('dead').textContent = body.deadMessages
    ? `${body.deadMessages.length} dead message(s)\n${body.deadMessages
        .map(
          (d) =>
            `${d.deadAt} ${d.deadLetterQueue} -> ${d.redriveTo}${d.redrivenAt ? ` (redriven ${d.redrivenAt})` : ''}${d.error ? `\n  error: ${d.error}` : ''}\n  ${d.body}`,
        )
        .join('\n')}`
    : (body.detail ?? `answered ${res.status}`);
}

async function redriveDead() {
  const jobId = $<HTMLInputElement>('dead-job').value.trim();
  const res = await opsFetch(`/ops/jobs/${encodeURIComponent(jobId)}/redrive`, { method: 'POST' });
  $('dead-result').textContent = JSON.stringify(await res.json());
  await showDead();
}

async function replay() {
  const rules = $<HTMLInputElement>('replay-rules')
    .value.split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const button = $<HTMLButtonElement>('replay');
  button.disabled = true;
  $('replay-result').textContent = 'replaying…';
  delete $('replay-result').dataset.state;
  try {
    const res = await opsFetch('/ops/replay', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: $<HTMLInputElement>('replay-from').value.trim(),
        to: $<HTMLInputElement>('replay-to').value.trim(),
        ...(rules.length ? { rules } : {}),
      }),
    });
    const body = (await res.json()) as { state?: string };
    $('replay-result').textContent = JSON.stringify(body, null, 1);
    $('replay-result').dataset.state = res.ok ? (body.state ?? 'unknown') : 'refused';
  } finally {
    button.disabled = false;
  }
}

let opsTimer: number | undefined;
function showTab(ops: boolean) {
  $('view-jobs').hidden = ops;
  $('view-ops').hidden = !ops;
  $('tab-jobs').classList.toggle('active', !ops);
  $('tab-ops').classList.toggle('active', ops);
  window.clearInterval(opsTimer);
  // Back on a job, show it as it is now (a redrive may have changed it).
  if (!ops && currentJob) void poll(currentJob);
  if (ops) {
    if (currentJob && !$<HTMLInputElement>('dead-job').value)
      $<HTMLInputElement>('dead-job').value = currentJob;
    void loadQueues();
    opsTimer = window.setInterval(() => void loadQueues(), 2000);
  }
}

async function main() {
  config = (await (await fetch('/config.json')).json()) as Config;
  $('who').textContent = `signed in as ${config.userId}`;
  fillSelect('recipe', RECIPES, 'prompt');
  fillSelect('resolution', RESOLUTIONS, '480p');
  const now = new Date();
  $<HTMLInputElement>('replay-from').value = new Date(now.getTime() - 3600_000).toISOString();
  $<HTMLInputElement>('replay-to').value = now.toISOString();
  $('submit-form').addEventListener('submit', (e) => void submit(e));
  $('history-more').onclick = () => void loadHistory(false);
  $('cancel').onclick = () => void jobAction('/cancel');
  $('regenerate').onclick = () => {
    const prompt = $<HTMLInputElement>('regen-prompt').value.trim();
    void jobAction('/regenerate', prompt ? { prompt } : {});
  };
  $('tab-jobs').onclick = () => showTab(false);
  $('tab-ops').onclick = () => showTab(true);
  $('replay').onclick = () => void replay();
  $('dead-show').onclick = () => void showDead();
  $('dead-redrive').onclick = () => void redriveDead();
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer?.files.length) void upload(e.dataTransfer.files);
  });
  $<HTMLInputElement>('files').addEventListener('change', (e) => {
    const input = e.target as HTMLInputElement;
    if (input.files?.length)
      void upload(input.files).finally(() => {
        input.value = '';
      });
  });
  await loadHistory(true);
  const fromHash = location.hash.slice(1);
  if (/^[0-9A-Z]{26}$/.test(fromHash)) watch(fromHash);
}

void main();
