import { randomBytes } from 'node:crypto';
import { signWebhook } from './webhook-signing';

export type WebhookEvent = 'start' | 'output' | 'logs' | 'completed';
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = ['start', 'output', 'logs', 'completed'];

/** How a webhook for one prediction is to be tampered with, from the fault book. */
export interface WebhookTampering {
  drop: boolean;
  forge: boolean;
  staleBySec: number | undefined;
  duplicateCompleted: boolean;
}

export interface WebhookAttempt {
  event: WebhookEvent;
  webhookId: string;
  timestamp: number;
  attempt: number;
  /** HTTP status, or the network error's message. */
  outcome: number | string;
  forged: boolean;
  stale: boolean;
}

export interface WebhookMessage {
  url: string;
  event: WebhookEvent;
  body: string;
  tampering: WebhookTampering;
  record(attempt: WebhookAttempt): void;
}

/** Back-off between attempts; Replicate retries failed deliveries a few times, too. */
const RETRY_DELAYS_MS = [250, 1000, 3000] as const;
const ATTEMPT_TIMEOUT_MS = 5000;

export function newWebhookId(): string {
  return `msg_${randomBytes(16).toString('hex')}`;
}

/**
 * Sends signed webhooks. Messages for one prediction go out one after another, so "start" is
 * never overtaken by "completed"; each message keeps its webhook-id across retries.
 */
export class WebhookSender {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly stopped = new AbortController();

  constructor(
    private readonly signingKey: Buffer,
    private readonly nowSec: () => number,
  ) {}

  enqueue(predictionId: string, message: WebhookMessage): void {
    if (message.tampering.drop) return;
    const previous = this.queues.get(predictionId) ?? Promise.resolve();
    const next = previous.then(() => this.send(message));
    this.queues.set(predictionId, next);
    void next.finally(() => {
      if (this.queues.get(predictionId) === next) this.queues.delete(predictionId);
    });
  }

  /** Waits for the messages queued so far (tests, and close()). */
  async settled(): Promise<void> {
    await Promise.all([...this.queues.values()]);
  }

  stop(): void {
    this.stopped.abort();
  }

  private async send(message: WebhookMessage): Promise<void> {
    const webhookId = newWebhookId();
    const copies = message.event === 'completed' && message.tampering.duplicateCompleted ? 2 : 1;
    for (let copy = 0; copy < copies; copy += 1) await this.sendWithRetries(message, webhookId);
  }

  private async sendWithRetries(message: WebhookMessage, webhookId: string): Promise<void> {
    for (let attempt = 1; attempt <= RETRY_DELAYS_MS.length + 1; attempt += 1) {
      if (this.stopped.signal.aborted) return;
      const delivered = await this.attempt(message, webhookId, attempt);
      if (delivered) return;
      const delay = RETRY_DELAYS_MS[attempt - 1];
      if (delay === undefined) return;
      await sleep(delay, this.stopped.signal);
    }
  }

  private async attempt(message: WebhookMessage, webhookId: string, attempt: number): Promise<boolean> {
    const { tampering } = message;
    const timestamp = Math.floor(this.nowSec()) - (tampering.staleBySec ?? 0);
    const signature = tampering.forge
      ? signWebhook(Buffer.from('not-the-signing-secret'), webhookId, timestamp, message.body)
      : signWebhook(this.signingKey, webhookId, timestamp, message.body);
    const base = {
      event: message.event,
      webhookId,
      timestamp,
      attempt,
      forged: tampering.forge,
      stale: tampering.staleBySec !== undefined,
    };
    try {
      const response = await fetch(message.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Replicate-Webhooks/1.0 (reelay-local)',
          'webhook-id': webhookId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signature,
        },
        body: message.body,
        // A webhook receiver's redirect is not followed: the signed message was for this URL.
        redirect: 'manual',
        signal: AbortSignal.any([this.stopped.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      message.record({ ...base, outcome: response.status });
      return response.status >= 200 && response.status < 300;
    } catch (error) {
      message.record({ ...base, outcome: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
