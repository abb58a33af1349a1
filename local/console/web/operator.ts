/**
 * The operator view (local runner only): queues grouped by service with what needs a look highlighted,
 * a DLQ's messages and its redrive, a job's dead messages and their redrive, and replay of a window of
 * the bus archive. It talks to the console's /ops routes with the operator token.
 */

interface QueueRow {
  name: string;
  visible: number;
  inFlight: number;
  oldestMessageAgeSeconds: number;
  isDeadLetterQueue: boolean;
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

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const SERVICES = ['api', 'generator', 'composer', 'ledger'] as const;

/** The service a queue belongs to, from its name (`reelay-<stage>-<service>-…`). */
export const serviceOfQueue = (name: string) => SERVICES.find((s) => name.includes(`-${s}-`)) ?? 'other';

export function operatorView(opsFetch: (path: string, init?: RequestInit) => Promise<Response>) {
  async function loadQueues() {
    const res = await opsFetch('/ops/queues');
    if (!res.ok) {
      $('queues-error').textContent = `the queues cannot be read (${res.status})`;
      return;
    }
    $('queues-error').textContent = '';
    const { queues } = (await res.json()) as { queues: QueueRow[] };
    const groups = new Map<string, QueueRow[]>();
    for (const q of [...queues].sort((a, b) => a.name.localeCompare(b.name))) {
      const service = serviceOfQueue(q.name);
      groups.set(service, [...(groups.get(service) ?? []), q]);
    }
    const tables: HTMLElement[] = [];
    for (const service of [...SERVICES, 'other']) {
      const rows = groups.get(service);
      if (!rows) continue;
      const table = document.createElement('table');
      table.dataset.service = service;
      const waiting = rows.reduce((n, q) => n + q.visible + q.inFlight, 0);
      const dead = rows.filter((q) => q.isDeadLetterQueue).reduce((n, q) => n + q.visible + q.inFlight, 0);
      table.innerHTML =
        '<caption></caption><thead><tr><th scope="col">queue</th><th scope="col">waiting</th><th scope="col">in flight</th><th scope="col">oldest</th><th scope="col"><span class="visually-hidden">actions</span></th></tr></thead><tbody></tbody>';
      (table.caption as HTMLTableCaptionElement).textContent =
        `${service} · ${rows.length} queues${waiting ? ` · ${waiting} messages` : ''}${dead ? ` · ${dead} dead` : ''}`;
      const body = table.tBodies[0] as HTMLTableSectionElement;
      for (const q of rows) body.append(queueRow(q));
      tables.push(table);
    }
    $('queues').replaceChildren(...tables);
  }

  function queueRow(q: QueueRow): HTMLTableRowElement {
    const tr = document.createElement('tr');
    tr.dataset.queue = q.name;
    const messages = q.visible + q.inFlight;
    if (messages > 0) tr.className = q.isDeadLetterQueue ? 'dead' : 'busy';
    // Under its service's caption the queue reads by its own name (`plan-dlq`); the full name is its title.
    const short = q.name.replace(/^reelay-[^-]+-/, '').replace(`${serviceOfQueue(q.name)}-`, '');
    const cells = [short, q.visible, q.inFlight, messages ? `${q.oldestMessageAgeSeconds} s` : '–'];
    for (const [i, cell] of cells.entries()) {
      const td = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) {
        td.setAttribute('scope', 'row');
        td.title = q.name;
      }
      td.textContent = String(cell);
      tr.append(td);
    }
    const actions = document.createElement('td');
    if (q.isDeadLetterQueue) {
      const show = document.createElement('button');
      show.type = 'button';
      show.textContent = 'Show';
      show.className = 'show';
      show.setAttribute('aria-label', `show the messages of ${short}`);
      show.onclick = () => void peek(q.name);
      const redrive = document.createElement('button');
      redrive.type = 'button';
      redrive.textContent = 'Redrive';
      redrive.className = 'redrive';
      redrive.setAttribute('aria-label', `redrive ${short}`);
      redrive.disabled = messages === 0;
      redrive.title = messages === 0 ? 'nothing to redrive' : `send ${messages} message(s) back`;
      redrive.onclick = () => void redriveQueue(q.name);
      actions.append(show, ' ', redrive);
    }
    tr.append(actions);
    return tr;
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

  /** A window that cannot be replayed is said next to its fields, in words, not as raw JSON. */
  async function replay() {
    const rules = $<HTMLInputElement>('replay-rules')
      .value.split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    const button = $<HTMLButtonElement>('replay');
    const result = $('replay-result');
    button.disabled = true;
    result.textContent = 'replaying…';
    result.className = '';
    $('replay-error').textContent = '';
    delete result.dataset.state;
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
      const body = (await res.json()) as { state?: string; detail?: string };
      if (!res.ok) {
        const why = body.detail ?? `the replay was refused (${res.status})`;
        $('replay-error').textContent = why;
        result.textContent = `Not replayed: ${why}`;
        result.className = 'error';
        result.dataset.state = 'refused';
        return;
      }
      result.textContent = JSON.stringify(body, null, 1);
      result.dataset.state = body.state ?? 'unknown';
    } finally {
      button.disabled = false;
    }
  }

  $('replay').onclick = () => void replay();
  $('dead-show').onclick = () => void showDead();
  $('dead-redrive').onclick = () => void redriveDead();
  const now = new Date();
  $<HTMLInputElement>('replay-from').value = new Date(now.getTime() - 3600_000).toISOString();
  $<HTMLInputElement>('replay-to').value = now.toISOString();
  return { loadQueues };
}
