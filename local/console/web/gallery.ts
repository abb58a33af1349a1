import { type ApiJobView, sinceText } from './job-phase';

/** One job of GET /jobs, as the list gives it. */
export interface ListedJob {
  jobId: string;
  status: string;
  createdAt?: string;
  recipe?: string;
  prompt?: string;
}

export interface GalleryDeps {
  /** GET /jobs/{id} (the job's spec, length and thumbnail link), undefined when it cannot be read. */
  detail(jobId: string): Promise<ApiJobView | undefined>;
  /** Presigned links name the local S3; the page reads them through its /s3 proxy. */
  viaProxy(link: string): string;
  open(jobId: string): void;
}

/**
 * A gallery card: the thumbnail (a finished job's, from its record), the prompt, the recipe and
 * length, when it was made and its status. The card is drawn at once from the list; the thumbnail and
 * length fill in when the job's record arrives.
 */
export function galleryCard(job: ListedJob, deps: GalleryDeps): HTMLLIElement {
  const li = document.createElement('li');
  li.dataset.jobId = job.jobId;
  li.dataset.status = job.status;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'card';
  button.onclick = () => deps.open(job.jobId);
  const thumb = document.createElement('div');
  thumb.className = 'thumb';
  // The badge says the status; a job without a video yet keeps an empty frame, not the word twice.
  thumb.setAttribute('aria-hidden', 'true');
  const text = document.createElement('div');
  text.className = 'card-text';
  const prompt = document.createElement('span');
  prompt.className = 'card-prompt';
  prompt.textContent = job.prompt || `(${job.recipe ?? 'job'} without a prompt)`;
  const meta = document.createElement('span');
  meta.className = 'card-meta';
  const describe = (length?: string) =>
    [job.recipe, length, sinceText(job.createdAt)].filter(Boolean).join(' · ');
  meta.textContent = describe();
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.dataset.status = job.status;
  badge.textContent = job.status;
  text.append(prompt, meta, badge);
  button.append(thumb, text);
  button.setAttribute(
    'aria-label',
    `${job.status.toLowerCase()}: ${prompt.textContent}, ${meta.textContent}`,
  );
  li.append(button);
  void deps.detail(job.jobId).then((view) => {
    if (!view) return;
    const seconds = view.output?.durationSec;
    const spec = view.spec as { scenes?: number; secondsPerScene?: number } | undefined;
    const length =
      seconds !== undefined
        ? `${seconds.toFixed(1)} s`
        : spec?.scenes && spec.secondsPerScene && (job.recipe === 'prompt' || job.recipe === 'ad')
          ? `${spec.scenes} × ${spec.secondsPerScene} s`
          : undefined;
    meta.textContent = describe(length);
    if (view.links?.thumbnail) {
      const img = document.createElement('img');
      img.alt = '';
      img.src = deps.viaProxy(view.links.thumbnail);
      img.loading = 'lazy';
      thumb.replaceChildren(img);
      li.dataset.thumbnail = 'true';
    }
  });
  return li;
}

/**
 * Keeps a card's status with the job's as the job view polls it: the list is read at submit and when a
 * job ends, and in between the card must not say REQUESTED while the job renders.
 */
export function setCardStatus(li: HTMLElement, status: string): void {
  if (li.dataset.status === status) return;
  li.dataset.status = status;
  const badge = li.querySelector<HTMLElement>('.badge');
  if (badge) {
    badge.dataset.status = status;
    badge.textContent = status;
  }
  const button = li.querySelector('button.card');
  const label = button?.getAttribute('aria-label');
  if (button && label)
    button.setAttribute('aria-label', label.replace(/^[a-z_]+:/, `${status.toLowerCase()}:`));
}
