/**
 * The Reelay local console: plain TypeScript, no framework. It talks only to the public HTTP API
 * (proxied at /api) and, in the operator view, to the local runner's /ops routes.
 */
import { jobSpecSchema, RECIPES, RESOLUTIONS } from '../../../libs/events/src/job-spec';
import { galleryCard, type ListedJob, setCardStatus } from './gallery';
import {
  type ApiJobView,
  clockText,
  endedAt,
  isEndedStatus,
  phaseText,
  sceneGroups,
  sceneState,
} from './job-phase';
import { costIsEstimate, costText, waterfall } from './job-view';
import { operatorView } from './operator';
import { EXAMPLE_PROMPTS, type FormField, RECIPE_FORMS, specSummary } from './recipes';
import { SERIES_HASH, seriesView } from './series';

interface Config {
  token: string;
  userId: string;
  s3: string;
  /** The languages the default narration models speak (the console server reads their contracts). */
  narrationLanguages?: string[];
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const POLL_MS = 500;
/** A job that failed only by a dead message may still complete after a redrive: it is polled, slower. */
const RECOVERABLE_POLL_MS = 3000;
/** After a failed read the next waits twice as long, up to this (a restarting API is not hammered). */
const MAX_BACKOFF_MS = 8000;
let config: Config;
let currentJob: string | undefined;
let currentView: ApiJobView | undefined;
let pollTimer: number | undefined;
let failedPolls = 0;
let shownStatus: string | undefined;
let historyCursor: string | undefined;
/** Set while the form regenerates a job (any option can change) instead of making a new one. */
let regenerateFrom: ApiJobView | undefined;
type UploadEntry = { uploadId: string; li: HTMLLIElement };
/** The job's uploads (pages, clips, start pictures) and its style references: each an upload, listed apart. */
const uploads: UploadEntry[] = [];
const styleRefs: UploadEntry[] = [];
interface UploadTarget {
  entries: UploadEntry[];
  /** The list the entries are drawn in. */
  list: string;
}
const UPLOADS: UploadTarget = { entries: uploads, list: 'uploads' };
const STYLE_REFS: UploadTarget = { entries: styleRefs, list: 'style-refs' };
/** Files still going up: the job is not submitted before they are in (it would miss them). */
let uploading = 0;
/** The history page size: 10, or `?pageSize=N` in the console's URL. */
const HISTORY_PAGE = Math.min(
  Math.max(Number(new URLSearchParams(location.search).get('pageSize')) || 10, 1),
  50,
);
const JOB_ID = /^[0-9A-Z]{26}$/;

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
  let parsed: unknown = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    // A gateway's HTML error page: the status says enough.
  }
  return { status: res.status, body: parsed as T };
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

// ---- the form ---------------------------------------------------------------------------------------

const FIELD_INPUTS: Record<string, string> = {
  prompt: 'prompt',
  scenes: 'scenes',
  secondsPerScene: 'seconds',
  deadlineSec: 'deadline',
  uploads: 'uploads',
  language: 'language',
  styleReferences: 'style-refs',
};

/** Shows the fields the chosen recipe takes, with its description (recipes.ts). */
function adaptFormToRecipe() {
  const recipe = RECIPE_FORMS[$<HTMLSelectElement>('recipe').value] ?? RECIPE_FORMS.prompt;
  if (!recipe) return;
  $('recipe-help').textContent = recipe.description;
  for (const el of document.querySelectorAll<HTMLElement>('#submit-form [data-field]'))
    el.hidden = !recipe.fields.includes(el.dataset.field as FormField);
  $('prompt-label').textContent = recipe.promptLabel;
  $('uploads-label').textContent = recipe.uploadsLabel ?? '';
  $('submit-form').dataset.recipe = $<HTMLSelectElement>('recipe').value;
  if (showingFieldErrors) checkForm();
}

const shown = (field: FormField) =>
  !document.querySelector<HTMLElement>(`#submit-form [data-field="${field}"]`)?.hidden;

/** The spec the form describes: only the fields the recipe takes (the others keep the api's defaults). */
function formSpec(): Record<string, unknown> {
  const prompt = $<HTMLTextAreaElement>('prompt').value.trim();
  const deadline = $<HTMLInputElement>('deadline').value.trim();
  const language = $<HTMLInputElement>('language').value.trim();
  const flag = (field: 'music' | 'narration' | 'captions') =>
    // A recipe without narration or captions (merge, soundtrack) gets none, not the api's default.
    shown(field)
      ? { [field]: $<HTMLInputElement>(field).checked }
      : field === 'music'
        ? {}
        : { [field]: false };
  return {
    recipe: $<HTMLSelectElement>('recipe').value,
    ...(prompt && shown('prompt') ? { prompt } : {}),
    ...(shown('scenes') ? { scenes: Number($<HTMLInputElement>('scenes').value) } : {}),
    ...(shown('seconds') ? { secondsPerScene: Number($<HTMLInputElement>('seconds').value) } : {}),
    resolution: $<HTMLSelectElement>('resolution').value,
    ...flag('music'),
    ...flag('narration'),
    ...flag('captions'),
    ...(uploads.length ? { uploads: uploads.map((u) => u.uploadId) } : {}),
    ...(language && shown('language') ? { language } : {}),
    ...(styleRefs.length && shown('styleReferences')
      ? { styleReferences: styleRefs.map((u) => u.uploadId) }
      : {}),
    ...(deadline ? { deadlineSec: Number(deadline) } : {}),
  };
}

let showingFieldErrors = false;
/**
 * Checks the form with the api's own schema and puts each message next to its field; a field's
 * message goes as soon as it is fixed. Returns the spec when it is valid.
 */
function checkForm(): Record<string, unknown> | undefined {
  const spec = formSpec();
  const checked = jobSpecSchema.safeParse(spec);
  for (const el of document.querySelectorAll<HTMLElement>('#submit-form .field-error')) el.textContent = '';
  for (const el of document.querySelectorAll('#submit-form [aria-invalid]'))
    el.removeAttribute('aria-invalid');
  if (checked.success) {
    showingFieldErrors = false;
    $('submit-error').textContent = '';
    return spec;
  }
  showFieldErrors(checked.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), message: i.message })));
  return undefined;
}

/**
 * Puts each message next to its field (the form's own check, or the api's 400/422 `errors`, whose
 * paths are `language`, `styleReferences.1`, …); what has no field shown goes under the button.
 */
function showFieldErrors(issues: ReadonlyArray<{ field: string; message: string }>) {
  showingFieldErrors = true;
  const unplaced: string[] = [];
  for (const { field, message: raw } of issues) {
    const input = FIELD_INPUTS[field];
    const slot = input ? document.getElementById(`${input}-error`) : null;
    const message = plainMessage(field, raw);
    if (slot && !slot.closest<HTMLElement>('[hidden]')) {
      slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
      document.getElementById(input as string)?.setAttribute('aria-invalid', 'true');
    } else unplaced.push(message);
  }
  $('submit-error').textContent = unplaced.length
    ? unplaced.join(' ')
    : 'Some fields need a change (marked above).';
}

/** zod's words made for a person: "Too big: expected number to be <=12" → "at most 12". */
function plainMessage(field: string, message: string): string {
  const limit = /expected \w+ to be ([<>]=?)(\d+)/.exec(message);
  if (limit) return `${labelOf(field)}: ${limit[1]?.startsWith('<') ? 'at most' : 'at least'} ${limit[2]}`;
  if (/expected number, received NaN/i.test(message)) return `${labelOf(field)}: a number, please`;
  return message.replace(/^the (\w+) recipe/, 'The $1 recipe');
}
const labelOf = (field: string) =>
  (
    ({
      scenes: 'Scenes',
      secondsPerScene: 'Seconds per scene',
      deadlineSec: 'Deadline',
      prompt: 'Prompt',
      styleReferences: 'Style pictures',
    }) as Record<string, string>
  )[field] ?? field;

async function submit(event: Event) {
  event.preventDefault();
  const spec = checkForm();
  if (!spec) return;
  const button = $<HTMLButtonElement>('submit');
  button.disabled = true;
  const label = button.textContent;
  button.textContent = regenerateFrom ? 'Regenerating…' : 'Creating…';
  const parent = regenerateFrom;
  // Regenerating: the job it starts from leaves the panel at the click; the new one, or the error, follows.
  if (parent && currentJob === parent.jobId) clearPanel(parent.jobId, 'starting a new job…');
  const { prompt, ...options } = spec;
  type Answer = { jobId?: string; detail?: string; errors?: Array<{ path: string; message: string }> };
  const sent = parent
    ? api<Answer>('POST', `/jobs/${parent.jobId}/regenerate`, {
        ...(typeof prompt === 'string' ? { prompt } : {}),
        options,
      })
    : api<Answer>('POST', '/jobs', spec);
  const res = await sent
    .catch((error: Error) => ({
      status: 0,
      body: { detail: `the api is unreachable: ${error.message}` } as Answer,
    }))
    .finally(() => {
      button.disabled = uploading > 0;
      button.textContent = label;
    });
  if (res.status !== 202 || !res.body.jobId) {
    const placed = res.body.errors?.filter((e) => e.path !== '(body)');
    if ((res.status === 400 || res.status === 422) && placed?.length)
      showFieldErrors(placed.map((e) => ({ field: e.path.split('.')[0] ?? '', message: e.message })));
    else $('submit-error').textContent = res.body.detail ?? `the api answered ${res.status}`;
    if (parent && currentJob === parent.jobId) void poll(parent.jobId);
    return;
  }
  for (const u of [...uploads.splice(0), ...styleRefs.splice(0)]) u.li.remove();
  setFormMode(undefined);
  // The job first, then the history around it: a slow list must not hide the job just submitted.
  watch(res.body.jobId);
  void loadHistory(true);
}

/** The form regenerates `job` (filled with its spec, any option can change) or makes a new job. */
function setFormMode(job: ApiJobView | undefined) {
  regenerateFrom = job;
  $('form-mode').hidden = !job;
  $('form-title').textContent = job ? 'Regenerate' : 'New video';
  $('submit').textContent = job ? 'Regenerate' : 'Create video';
  if (!job) return;
  $('form-mode-text').textContent =
    `A new job from ${job.jobId.slice(-8)}: change anything, then Regenerate.`;
  const spec = (job.spec ?? {}) as Record<string, unknown>;
  const set = (id: string, value: unknown) => {
    if (value !== undefined) $<HTMLInputElement>(id).value = String(value);
  };
  set('recipe', spec.recipe);
  set('prompt', spec.prompt ?? '');
  set('scenes', spec.scenes);
  set('seconds', spec.secondsPerScene);
  set('resolution', spec.resolution);
  set('deadline', spec.deadlineSec);
  set('language', spec.language ?? '');
  // Its uploads and style references stay the job's (ids, no preview: the files are not in the page).
  for (const [ids, target] of [
    [spec.uploads, UPLOADS],
    [spec.styleReferences, STYLE_REFS],
  ] as const) {
    for (const u of target.entries.splice(0)) u.li.remove();
    if (Array.isArray(ids)) for (const id of ids) keepUpload(String(id), target);
  }
  for (const flag of ['music', 'narration', 'captions'])
    if (typeof spec[flag] === 'boolean') $<HTMLInputElement>(flag).checked = spec[flag] as boolean;
  adaptFormToRecipe();
  $('prompt').focus();
}

// ---- the job ----------------------------------------------------------------------------------------

/**
 * Shows a job: the panel is cleared at once (nothing of the previous job stays while the new one
 * loads), the job goes into the URL so a reload keeps it, and polling starts.
 */
function watch(jobId: string) {
  currentJob = jobId;
  currentView = undefined;
  shownStatus = undefined;
  failedPolls = 0;
  window.clearTimeout(pollTimer);
  if (location.hash.slice(1) !== jobId) history.replaceState(null, '', `#${jobId}`);
  clearPanel(jobId);
  for (const li of document.querySelectorAll<HTMLElement>('#history li[data-job-id]'))
    li.setAttribute('aria-current', String(li.dataset.jobId === jobId));
  void poll(jobId);
}

function clearPanel(jobId: string, pending = 'loading…') {
  $('job').hidden = false;
  $('job-placeholder').hidden = true;
  $('job').setAttribute('aria-busy', 'true');
  $('job').dataset.jobId = jobId;
  delete $('job').dataset.renderedJob;
  $('job-id').textContent = jobId;
  $('job-status').textContent = 'LOADING';
  $('job-status').dataset.status = 'LOADING';
  $('job-prompt').textContent = '';
  $('job-options').textContent = '';
  $('job-phase').textContent = pending;
  $('job-timer').textContent = '';
  $('job-connection').textContent = '';
  $('job-waiting').textContent = '';
  $('job-failure').textContent = '';
  $('job-failure-box').hidden = true;
  $('job-redrive-result').textContent = '';
  $('scene-list').replaceChildren();
  $('job-cost').textContent = '';
  $('waterfall').replaceChildren();
  $('timing-title').hidden = true;
  $('player').hidden = true;
  const video = $<HTMLVideoElement>('video');
  video.removeAttribute('src');
  video.removeAttribute('poster');
  video.replaceChildren();
  $('job-error').textContent = '';
  $('cancel-confirm-box').hidden = true;
  $<HTMLButtonElement>('cancel').hidden = false;
  $<HTMLButtonElement>('cancel').disabled = true;
  $<HTMLButtonElement>('cancel').textContent = 'Cancel job';
  $<HTMLButtonElement>('regenerate').disabled = true;
  $<HTMLButtonElement>('regen-edit').disabled = true;
  document.title = 'Reelay console';
}

async function poll(jobId: string) {
  if (jobId !== currentJob) return;
  const res = await api<ApiJobView & { detail?: string }>('GET', `/jobs/${jobId}`).catch(() => undefined);
  if (jobId !== currentJob) return;
  const job = res?.status === 200 ? res.body : undefined;
  if (job) {
    failedPolls = 0;
    $('job-connection').textContent = '';
    try {
      render(job);
    } catch (error) {
      // A record the view cannot draw yet must not stop the polling: the next answer may draw.
      $('job-error').textContent = `cannot show this job: ${(error as Error).message}`;
    }
  } else if (res && res.status >= 400 && res.status < 500 && res.status !== 429) {
    // Not a passing fault: the job is not there (or not ours). Say so and stop.
    $('job-error').textContent = res.body.detail ?? `the api answered ${res.status}`;
    $('job').removeAttribute('aria-busy');
    $('job-phase').textContent = 'not found';
    return;
  } else {
    failedPolls += 1;
  }
  const backoff = Math.min(POLL_MS * 2 ** failedPolls, MAX_BACKOFF_MS);
  if (!job)
    $('job-connection').textContent =
      `Lost touch with the api (${res ? `answered ${res.status}` : 'unreachable'}); trying again in ${Math.round(backoff / 1000)} s…`;
  const view = job ?? currentView;
  const final =
    view !== undefined &&
    isEndedStatus(view.status) &&
    !(view.status === 'FAILED' && view.failure?.retryable);
  // One timer at most, whoever polled (the timer, an action, a return to the tab).
  window.clearTimeout(pollTimer);
  if (!final || !job)
    pollTimer = window.setTimeout(
      () => void poll(jobId),
      !job ? backoff : view?.status === 'FAILED' ? RECOVERABLE_POLL_MS : POLL_MS,
    );
  if (job && job.status !== shownStatus && isEndedStatus(job.status)) void loadHistory(true);
  shownStatus = job?.status ?? shownStatus;
}

function render(job: ApiJobView) {
  currentView = job;
  const panel = $('job');
  panel.removeAttribute('aria-busy');
  panel.dataset.renderedJob = job.jobId;
  $('job-status').textContent = job.status;
  $('job-status').dataset.status = job.status;
  const card = document.querySelector<HTMLElement>(`#history li[data-job-id="${job.jobId}"]`);
  if (card) setCardStatus(card, job.status);
  const spec = (job.spec ?? {}) as { prompt?: string; recipe?: string };
  $('job-prompt').textContent = spec.prompt ?? `(${spec.recipe ?? 'job'} without a prompt)`;
  $('job-options').textContent = specSummary(spec);
  const phase = phaseText(job);
  if ($('job-phase').textContent !== phase) $('job-phase').textContent = phase;
  renderTimer();
  document.title = `${titleOf(job, phase)} · Reelay`;
  // A queued job shows no progress: say what it waits for, so it does not look stuck.
  $('job-waiting').textContent =
    job.status === 'QUEUED' && !job.cancelledAt
      ? 'Queued: you have as many jobs running as allowed at once; this one starts when one of them ends (oldest first).'
      : '';
  renderFailure(job);
  renderScenes(job);
  $('job-cost').textContent = costText(job.costUsd, costIsEstimate(job));
  const chart = waterfall(job);
  $('waterfall').replaceChildren(chart);
  $('timing-title').hidden = chart.childElementCount === 0;
  const ended = isEndedStatus(job.status);
  const cancelling = !ended && job.cancelledAt !== undefined;
  const cancel = $<HTMLButtonElement>('cancel');
  if (ended) $('cancel-confirm-box').hidden = true;
  // An ended job has nothing to cancel: the button goes (and stays disabled for anything that clicks).
  cancel.hidden = ended || !$('cancel-confirm-box').hidden;
  cancel.disabled = ended || cancelling;
  cancel.textContent = cancelling ? 'Cancelling…' : 'Cancel job';
  $<HTMLButtonElement>('regenerate').disabled = false;
  $<HTMLButtonElement>('regen-edit').disabled = false;
  if (job.links && $('player').hidden) {
    const video = $<HTMLVideoElement>('video');
    video.replaceChildren();
    if (job.links.captions) {
      // Off by default: the local model draws text into its frames and the two would overlap; the
      // player's CC button shows them.
      const track = document.createElement('track');
      Object.assign(track, { kind: 'captions', label: 'Captions', srclang: 'en' });
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

/** The tab title: the phase, and scenes done while rendering, so a background tab shows progress. */
function titleOf(job: ApiJobView, phase: string): string {
  if (job.status === 'COMPLETED') return '✓ Done';
  if (job.status === 'FAILED') return '✗ Failed';
  if (job.status === 'CANCELLED') return 'Cancelled';
  const rendering = /^rendering (\d+)\/(\d+)/.exec(phase);
  if (rendering) return `(${rendering[1]}/${rendering[2]}) Rendering`;
  return phase.charAt(0).toUpperCase() + phase.slice(1);
}

function renderTimer() {
  const job = currentView;
  if (!job) return;
  const start = Date.parse(job.createdAt ?? '');
  if (!Number.isFinite(start)) return;
  const end = isEndedStatus(job.status) ? (endedAt(job) ?? Date.now()) : Date.now();
  const verb = isEndedStatus(job.status) ? 'took' : job.status === 'QUEUED' ? 'waiting for' : 'running for';
  $('job-timer').textContent = `${verb} ${clockText(end - start)}`;
}

function renderFailure(job: ApiJobView) {
  const box = $('job-failure-box');
  const failure = job.failure;
  if (job.status === 'CANCELLED') {
    const at = job.cancelledAt ?? job.failedAt;
    $('job-failure').textContent =
      `Cancelled by you${at ? ` at ${new Date(at).toLocaleTimeString()}` : ''} (CANCELLED).`;
  } else if (failure && job.status === 'FAILED') {
    $('job-failure').textContent = `Failed at ${failure.stage}: ${failure.reason} (${failure.code})`;
  }
  box.hidden = !(job.status === 'CANCELLED' || (failure && job.status === 'FAILED'));
  box.dataset.kind = job.status === 'CANCELLED' ? 'cancelled' : 'failed';
  // A dead letter the ledger kept can be sent again from here; the job follows it to its end.
  const redrivable =
    job.status === 'FAILED' &&
    failure?.retryable === true &&
    job.deadMessages.some((d) => d.redrivenAt === undefined);
  $('job-redrive').hidden = !redrivable;
}

function renderScenes(job: ApiJobView) {
  const list = $('scene-list');
  list.replaceChildren();
  for (const group of sceneGroups(job.scenes)) {
    const box = document.createElement('div');
    box.className = 'scene-group';
    const title = document.createElement('h3');
    const ready = group.scenes.filter((s) => s.status === 'ready').length;
    title.textContent = `${group.title} · ${ready}/${group.scenes.length}`;
    box.append(title);
    // A long job (a story of hundreds of pages) lists its scenes' states in one line, not hundreds.
    const rows = group.scenes.length > 24 ? [] : group.scenes;
    for (const [i, s] of rows.entries()) {
      const row = document.createElement('div');
      row.className = 'scene';
      row.dataset.status = s.status;
      const state = sceneState(s, job.status);
      row.dataset.state = state;
      const name =
        group.title === 'Music' ? 'music' : `${group.title === 'Narration' ? 'narration' : 'scene'} ${i + 1}`;
      row.innerHTML = '<span></span><span class="state"></span><span></span>';
      (row.children[0] as HTMLElement).textContent = `${name} (${s.kind})`;
      (row.children[1] as HTMLElement).textContent = state;
      (row.children[2] as HTMLElement).textContent =
        s.status === 'ready' ? costText(s.costUsd ?? 0, s.provider === 'local') : '';
      box.append(row);
    }
    list.append(box);
  }
}

// ---- history (the gallery) --------------------------------------------------------------------------

let historyGeneration = 0;
async function loadHistory(reset: boolean) {
  if (reset) historyCursor = undefined;
  const generation = ++historyGeneration;
  const query = `?limit=${HISTORY_PAGE}${historyCursor ? `&next=${encodeURIComponent(historyCursor)}` : ''}`;
  const res = await api<{ jobs?: ListedJob[]; next?: string }>('GET', `/jobs${query}`).catch(() => undefined);
  // A later load (a submit while the first page loads) wins; its list replaces this one.
  if (res?.status !== 200 || generation !== historyGeneration) return;
  const list = $('history');
  if (reset) list.replaceChildren();
  list.dataset.state = 'loaded';
  for (const j of res.body.jobs ?? []) {
    const card = galleryCard(j, {
      detail: async (jobId) => {
        const got = await api<ApiJobView>('GET', `/jobs/${jobId}`).catch(() => undefined);
        return got?.status === 200 ? got.body : undefined;
      },
      viaProxy,
      open: (jobId) => watch(jobId),
    });
    card.setAttribute('aria-current', String(j.jobId === currentJob));
    list.append(card);
  }
  $('history-empty').hidden = list.children.length > 0;
  historyCursor = res.body.next;
  $('history-more').hidden = !historyCursor;
}

// ---- job actions ------------------------------------------------------------------------------------

async function jobAction(path: string, body: unknown, button: HTMLButtonElement, pending: string) {
  if (!currentJob) return;
  const from = currentJob;
  const label = button.textContent;
  button.disabled = true;
  button.textContent = pending;
  $('job-error').textContent = '';
  const res = await api<{ jobId?: string; detail?: string }>('POST', `/jobs/${from}${path}`, body).catch(
    (error: Error) => ({
      status: 0,
      body: { jobId: undefined, detail: `the api is unreachable: ${error.message}` },
    }),
  );
  button.textContent = label;
  button.disabled = false;
  if (res.status >= 300 || res.status === 0) {
    $('job-error').textContent = res.body.detail ?? `the api answered ${res.status}`;
    return;
  }
  if (res.body.jobId && res.body.jobId !== from) watch(res.body.jobId);
  else void poll(from);
  await loadHistory(true);
}

function regenerate() {
  if (!currentJob) return;
  const prompt = $<HTMLInputElement>('regen-prompt').value.trim();
  const from = currentJob;
  const body = prompt ? { prompt } : { options: { ...(currentView?.spec ?? {}) } };
  // The old job leaves the panel at once: what shows next is the new one, or the error.
  clearPanel(from, 'starting a new job…');
  $('job-id').textContent = '';
  void jobAction('/regenerate', body, $<HTMLButtonElement>('regenerate'), 'Starting…').then(() => {
    if (currentJob === from) {
      $('job-id').textContent = from;
      void poll(from);
    }
    $<HTMLInputElement>('regen-prompt').value = '';
  });
}

function askToCancel() {
  $<HTMLButtonElement>('cancel').hidden = true;
  $('cancel-confirm-box').hidden = false;
  $('cancel-keep').focus();
}

function confirmCancel() {
  $('cancel-confirm-box').hidden = true;
  const cancel = $<HTMLButtonElement>('cancel');
  cancel.hidden = false;
  $('job-phase').textContent = 'cancelling';
  void jobAction('/cancel', {}, cancel, 'Cancelling…').then(() => {
    if (!isEndedStatus(currentView?.status)) {
      cancel.disabled = true;
      cancel.textContent = 'Cancelling…';
    }
  });
}

async function redriveThisJob() {
  if (!currentJob) return;
  const button = $<HTMLButtonElement>('job-redrive');
  button.disabled = true;
  const res = await opsFetch(`/ops/jobs/${encodeURIComponent(currentJob)}/redrive`, { method: 'POST' });
  const body = (await res.json().catch(() => ({}))) as { sent?: unknown[]; detail?: string };
  $('job-redrive-result').textContent = res.ok
    ? `sent ${body.sent?.length ?? 0} message(s) again; following the job…`
    : (body.detail ?? `the redrive was refused (${res.status})`);
  button.disabled = false;
  void poll(currentJob);
}

// ---- uploads ----------------------------------------------------------------------------------------

/** Uploads dropped files through POST /uploads and the presigned POST, as any client would. */
async function upload(files: FileList, target: UploadTarget = UPLOADS) {
  uploading += 1;
  $<HTMLButtonElement>('submit').disabled = true;
  try {
    for (const file of Array.from(files)) await uploadOne(file, target);
  } finally {
    uploading -= 1;
    $<HTMLButtonElement>('submit').disabled = uploading > 0;
    if (showingFieldErrors) checkForm();
  }
}

/** An upload the form reuses (a regenerated job's): listed by its id, removable like a new one. */
function keepUpload(uploadId: string, target: UploadTarget) {
  const li = document.createElement('li');
  li.dataset.state = 'uploaded';
  li.dataset.uploadId = uploadId;
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = `upload …${uploadId.slice(-8)} (the job's)`;
  li.append(name, removeButton(li, `upload ${uploadId.slice(-8)}`, target));
  $(target.list).append(li);
  target.entries.push({ uploadId, li });
}

function removeButton(li: HTMLLIElement, what: string, target: UploadTarget): HTMLButtonElement {
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.textContent = 'Remove';
  remove.setAttribute('aria-label', `remove ${what}`);
  remove.onclick = () => {
    const at = target.entries.findIndex((u) => u.li === li);
    if (at >= 0) target.entries.splice(at, 1);
    li.remove();
    if (showingFieldErrors) checkForm();
  };
  return remove;
}

async function uploadOne(file: File, target: UploadTarget) {
  const li = document.createElement('li');
  li.dataset.state = 'uploading';
  const preview = file.type.startsWith('image/')
    ? Object.assign(document.createElement('img'), { alt: '' })
    : file.type.startsWith('video/')
      ? Object.assign(document.createElement('video'), { muted: true, preload: 'metadata' })
      : undefined;
  if (preview) preview.src = URL.createObjectURL(file);
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = `${file.name}: uploading…`;
  const remove = removeButton(li, file.name, target);
  li.append(...(preview ? [preview] : []), name, remove);
  $(target.list).append(li);
  const failed = (why: string) => {
    name.textContent = `${file.name}: ${why}`;
    li.className = 'error';
    li.dataset.state = 'failed';
  };
  try {
    const res = await api<{
      uploadId?: string;
      url?: string;
      fields?: Record<string, string>;
      detail?: string;
    }>('POST', '/uploads', { contentType: file.type || 'application/octet-stream', bytes: file.size });
    if (res.status !== 201 || !res.body.uploadId || !res.body.url || !res.body.fields)
      return failed(
        res.status === 400 || res.status === 415
          ? `not a picture or a video this service takes (${file.type || 'unknown type'})`
          : (res.body.detail ?? `refused (${res.status})`),
      );
    const form = new FormData();
    for (const [k, v] of Object.entries(res.body.fields)) form.append(k, v);
    form.append('file', file);
    const posted = await fetch(viaProxy(res.body.url), { method: 'POST', body: form });
    if (!posted.ok) return failed(`the upload failed (${posted.status})`);
    target.entries.push({ uploadId: res.body.uploadId, li });
    name.textContent = file.name;
    li.dataset.state = 'uploaded';
    li.dataset.uploadId = res.body.uploadId;
  } catch (error) {
    failed(`the upload failed (${(error as Error).message})`);
  }
}

/** A drop zone and its "choose files" input, both uploading into `target`. */
function acceptFiles(drop: HTMLElement, input: HTMLInputElement, target: UploadTarget) {
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer?.files.length) void upload(e.dataTransfer.files, target);
  });
  input.addEventListener('change', () => {
    if (input.files?.length)
      void upload(input.files, target).finally(() => {
        input.value = '';
      });
  });
}

// ---- tabs and start -----------------------------------------------------------------------------------

let opsTimer: number | undefined;
let operator: ReturnType<typeof operatorView>;
let series: ReturnType<typeof seriesView>;
type Tab = 'jobs' | 'series' | 'ops';
let shownTab: Tab = 'jobs';
function showTab(tab: Tab) {
  const ops = tab === 'ops';
  const was = shownTab;
  shownTab = tab;
  for (const t of ['jobs', 'series', 'ops'] as const) {
    $(`view-${t}`).hidden = t !== tab;
    $(`tab-${t}`).classList.toggle('active', t === tab);
    $(`tab-${t}`).setAttribute('aria-pressed', String(t === tab));
  }
  window.clearInterval(opsTimer);
  series.show(tab === 'series');
  // The URL names what is shown, so a reload comes back to it.
  if (tab === 'jobs' && was !== 'jobs')
    history.replaceState(null, '', currentJob ? `#${currentJob}` : location.pathname + location.search);
  if (tab === 'series' && !SERIES_HASH.test(location.hash.slice(1)))
    history.replaceState(null, '', '#series');
  // Back on a job, show it as it is now (a redrive may have changed it).
  if (tab === 'jobs' && currentJob) void poll(currentJob);
  if (ops) {
    if (currentJob && !$<HTMLInputElement>('dead-job').value)
      $<HTMLInputElement>('dead-job').value = currentJob;
    void operator.loadQueues();
    opsTimer = window.setInterval(() => void operator.loadQueues(), 2000);
  }
}

/**
 * The URL's hash says what is shown: `#<jobId>` a job (an episode's "Open job" link too),
 * `#series/<seriesId>` a series, `#series` the list of series.
 */
function route(navigated: boolean) {
  const hash = location.hash.slice(1);
  const seriesId = SERIES_HASH.exec(hash)?.[1];
  if (seriesId || hash === 'series') {
    if (shownTab !== 'series') showTab('series');
    series.select(seriesId, navigated);
  } else if (JOB_ID.test(hash)) {
    if (shownTab !== 'jobs') showTab('jobs');
    if (hash !== currentJob) watch(hash);
  }
}

async function main() {
  config = (await (await fetch('/config.json')).json()) as Config;
  $('who').textContent = `signed in as ${config.userId}`;
  fillSelect('recipe', RECIPES, 'prompt');
  fillSelect('resolution', RESOLUTIONS, '480p');
  const names = new Intl.DisplayNames(['en'], { type: 'language' });
  for (const tag of config.narrationLanguages ?? [])
    $('languages').append(new Option(`${names.of(tag) ?? tag}`, tag));
  if (config.narrationLanguages?.length)
    $('language-help').textContent =
      `A language tag such as en, vi or pt-BR; narration is spoken in ${config.narrationLanguages.length} languages (the list offers them). English when empty.`;
  adaptFormToRecipe();
  operator = operatorView(opsFetch);
  series = seriesView(api);
  for (const prompt of EXAMPLE_PROMPTS) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = prompt;
    button.onclick = () => {
      $<HTMLSelectElement>('recipe').value = 'prompt';
      adaptFormToRecipe();
      $<HTMLTextAreaElement>('prompt').value = prompt;
      $('prompt').focus();
    };
    $('examples').append(button);
  }
  $('submit-form').addEventListener('submit', (e) => void submit(e));
  $('submit-form').addEventListener('input', () => {
    if (showingFieldErrors) checkForm();
  });
  $('recipe').addEventListener('change', adaptFormToRecipe);
  $('form-mode-reset').onclick = () => setFormMode(undefined);
  $('history-more').onclick = () => void loadHistory(false);
  $('cancel').onclick = askToCancel;
  $('cancel-confirm').onclick = confirmCancel;
  $('cancel-keep').onclick = () => {
    $('cancel-confirm-box').hidden = true;
    $<HTMLButtonElement>('cancel').hidden = false;
    $('cancel').focus();
  };
  $('regenerate').onclick = regenerate;
  $('regen-edit').onclick = () => {
    if (currentView) setFormMode(currentView);
  };
  $('job-redrive').onclick = () => void redriveThisJob();
  $('tab-jobs').onclick = () => showTab('jobs');
  $('tab-series').onclick = () => showTab('series');
  $('tab-ops').onclick = () => showTab('ops');
  for (const [zone, input, target] of [
    ['drop', 'files', UPLOADS],
    ['style-drop', 'style-files', STYLE_REFS],
  ] as const)
    acceptFiles($(zone), $<HTMLInputElement>(input), target);
  window.addEventListener('hashchange', () => route(true));
  // The timer ticks between polls (and after the job ended, it stays).
  window.setInterval(renderTimer, 1000);
  route(false);
  await loadHistory(true);
}

void main();
