/**
 * The series view (issue 20): the caller's series with their schedule, today's count against the
 * quota, the next run and the state; one series' episodes with their status, their job (a link that
 * opens it in the job view) and where each was published; pause and resume. It reads only the public
 * API (GET /series, /series/{id}, /series/{id}/episodes, PATCH /series/{id}) and polls while shown.
 */
import {
  type EpisodeView,
  episodeStatusText,
  inText,
  itemText,
  nextRunText,
  publishedText,
  type SeriesView,
  STATE_BADGE,
  scheduleText,
  stateText,
  todayText,
} from './series-text';

type Api = <T>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
/** How often the shown series are read again: episodes take seconds each on the local cloud. */
const POLL_MS = 2000;
export const SERIES_HASH = /^series\/([0-9A-HJKMNP-TV-Z]{26})$/;

export function seriesView(api: Api) {
  let selected: string | undefined;
  let timer: number | undefined;
  let shownState: string | undefined;
  let visible = false;
  /** A later refresh wins: an older answer arriving late must not draw over a newer one. */
  let generation = 0;

  async function refresh(): Promise<void> {
    const mine = ++generation;
    const list = await api<{ series?: SeriesView[]; detail?: string }>('GET', '/series').catch(
      () => undefined,
    );
    if (mine !== generation) return;
    if (list?.status !== 200) {
      $('series-error').textContent = list
        ? (list.body.detail ?? `the series cannot be read (the api answered ${list.status})`)
        : 'the api is unreachable; trying again…';
    } else {
      $('series-error').textContent = '';
      renderList(list.body.series ?? []);
    }
    if (selected) await refreshSelected(mine);
  }

  async function refreshSelected(mine: number): Promise<void> {
    const id = selected;
    if (!id) return;
    const [series, episodes] = await Promise.all([
      api<SeriesView & { detail?: string }>('GET', `/series/${id}`).catch(() => undefined),
      api<{ episodes?: EpisodeView[] }>('GET', `/series/${id}/episodes`).catch(() => undefined),
    ]);
    if (mine !== generation || id !== selected) return;
    if (series?.status === 404) {
      $('series-detail-error').textContent = 'This series is gone (deleted).';
      $('series-detail').removeAttribute('aria-busy');
      return;
    }
    if (series?.status !== 200) return; // a passing fault: the next poll tries again
    renderSeries(series.body);
    if (episodes?.status === 200) renderEpisodes(episodes.body.episodes ?? []);
  }

  function renderList(all: SeriesView[]) {
    const list = $('series-list');
    list.dataset.state = 'loaded';
    list.replaceChildren(...all.map(seriesCard));
    $('series-empty').hidden = all.length > 0;
  }

  function seriesCard(series: SeriesView): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.seriesId = series.seriesId;
    li.setAttribute('aria-current', String(series.seriesId === selected));
    const link = document.createElement('a');
    link.className = 'card series-card';
    link.href = `#series/${series.seriesId}`;
    const name = document.createElement('span');
    name.className = 'card-prompt';
    name.textContent = series.name;
    const meta = document.createElement('span');
    meta.className = 'card-meta';
    const next = series.nextRun ? `next ${inText(Date.parse(series.nextRun) - Date.now())}` : undefined;
    meta.textContent = [scheduleText(series.schedule), todayText(series), next].filter(Boolean).join(' · ');
    const badge = stateBadge(series.state);
    link.append(name, meta, badge);
    li.append(link);
    return li;
  }

  function stateBadge(state: SeriesView['state']): HTMLSpanElement {
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.dataset.state = state;
    badge.textContent = STATE_BADGE[state] ?? state;
    return badge;
  }

  function renderSeries(series: SeriesView) {
    const panel = $('series-detail');
    panel.removeAttribute('aria-busy');
    panel.dataset.renderedSeries = series.seriesId;
    panel.dataset.state = series.state;
    $('series-name').textContent = series.name;
    $('series-badge').replaceChildren(stateBadge(series.state));
    // Announced (aria-live) only when it changes, not at every poll.
    const state = stateText(series);
    if (state !== shownState) {
      $('series-state').textContent = state;
      shownState = state;
    }
    $('series-schedule').textContent = scheduleText(series.schedule);
    $('series-today').textContent = todayText(series);
    const meter = $<HTMLMeterElement>('series-today-meter');
    meter.max = series.today.quota;
    meter.value = Math.min(series.today.count, series.today.quota);
    $('series-next').textContent = nextRunText(series.nextRun, series.schedule.timeZone);
    $('series-items').textContent =
      `${series.items.started} of ${series.items.total} started · ${series.items.remaining} to go`;
    const toggle = $<HTMLButtonElement>('series-toggle');
    if (!toggle.dataset.pending) {
      const paused = series.state === 'paused';
      toggle.textContent = paused ? 'Resume' : 'Pause';
      toggle.dataset.action = paused ? 'resume' : 'pause';
      toggle.disabled = false;
    }
  }

  function renderEpisodes(episodes: EpisodeView[]) {
    const list = $('episode-list');
    list.replaceChildren(...episodes.map(episodeRow));
    $('episodes-empty').hidden = episodes.length > 0;
    const made = episodes.filter((e) => e.status === 'COMPLETED').length;
    $('episodes-title').textContent = `Episodes · ${made}/${episodes.length} made`;
  }

  function episodeRow(episode: EpisodeView, index: number): HTMLLIElement {
    const li = document.createElement('li');
    li.className = 'episode';
    li.dataset.itemId = episode.itemId;
    li.dataset.status = episode.status;
    const text = document.createElement('span');
    text.className = 'episode-item';
    text.textContent = `${index + 1}. ${itemText(episode.item)}`;
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.dataset.status = episode.status;
    badge.textContent = episode.status;
    const meta = document.createElement('span');
    meta.className = 'episode-meta';
    meta.textContent = [episodeStatusText(episode), episode.day].filter(Boolean).join(' · ');
    li.append(text, badge, meta);
    const links = document.createElement('span');
    links.className = 'episode-links';
    if (episode.jobId) {
      // The job view follows the hash (app.ts): the job opens there, and Back comes here again.
      const job = document.createElement('a');
      job.href = `#${episode.jobId}`;
      job.className = 'episode-job';
      job.textContent = 'Open job';
      job.setAttribute('aria-label', `open the job of episode ${index + 1}`);
      links.append(job);
    }
    for (const entry of episode.published) {
      if (entry.url) {
        const a = document.createElement('a');
        a.href = entry.url;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        a.textContent = publishedText(entry);
        links.append(a);
      } else {
        const span = document.createElement('span');
        span.className = entry.failure ? 'error' : '';
        span.textContent = publishedText(entry);
        links.append(span);
      }
    }
    if (links.childElementCount) li.append(links);
    return li;
  }

  /** Pause or resume (PATCH /series/{id}); the button says what is happening while the api answers. */
  async function toggle() {
    const id = selected;
    const button = $<HTMLButtonElement>('series-toggle');
    if (!id || button.dataset.pending) return;
    const pausing = button.dataset.action === 'pause';
    button.dataset.pending = 'true';
    button.disabled = true;
    button.textContent = pausing ? 'Pausing…' : 'Resuming…';
    $('series-detail-error').textContent = '';
    const res = await api<SeriesView & { detail?: string }>('PATCH', `/series/${id}`, {
      state: pausing ? 'paused' : 'active',
    }).catch((error: Error) => ({
      status: 0,
      body: { detail: `the api is unreachable: ${error.message}` } as SeriesView & { detail?: string },
    }));
    delete button.dataset.pending;
    button.disabled = false;
    if (res.status !== 200) {
      button.textContent = pausing ? 'Pause' : 'Resume';
      $('series-detail-error').textContent = res.body.detail ?? `the api answered ${res.status}`;
      return;
    }
    if (id === selected) renderSeries(res.body);
    button.focus();
    void refresh();
  }

  /** Shows one series (from the hash): the panel is cleared at once, then filled by its reads. */
  function select(seriesId: string | undefined, focus = false) {
    // A person who chose a series goes to it (on a phone the panel is above the list).
    const goTo = () => {
      if (focus && seriesId) $('series-name').focus();
    };
    if (seriesId === selected) return goTo();
    selected = seriesId;
    shownState = undefined;
    const panel = $('series-detail');
    panel.hidden = !seriesId;
    for (const li of document.querySelectorAll<HTMLElement>('#series-list li[data-series-id]'))
      li.setAttribute('aria-current', String(li.dataset.seriesId === seriesId));
    if (!seriesId) return;
    panel.setAttribute('aria-busy', 'true');
    delete panel.dataset.renderedSeries;
    $('series-name').textContent = 'Series';
    $('series-badge').replaceChildren();
    $('series-state').textContent = 'loading…';
    for (const id of [
      'series-schedule',
      'series-today',
      'series-next',
      'series-items',
      'series-detail-error',
    ])
      $(id).textContent = '';
    $('episode-list').replaceChildren();
    $('episodes-title').textContent = 'Episodes';
    $<HTMLButtonElement>('series-toggle').disabled = true;
    goTo();
    void refresh();
  }

  /** Polls while the view is shown; stops when another tab is. */
  function show(on: boolean) {
    visible = on;
    window.clearInterval(timer);
    if (!on) return;
    void refresh();
    timer = window.setInterval(() => {
      if (visible && document.visibilityState !== 'hidden') void refresh();
    }, POLL_MS);
  }

  $('series-toggle').onclick = () => void toggle();
  return { show, select, refresh };
}
