import { randomBytes } from 'node:crypto';
import type { FaultKind } from './faults';
import type { WebhookAttempt, WebhookEvent, WebhookTampering } from './webhook-delivery';

/** Replicate's statuses: `aborted` ends a prediction that never ran (or stopped) through no fault of the model. */
export type PredictionStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';

export const TERMINAL_STATUSES: readonly PredictionStatus[] = ['succeeded', 'failed', 'canceled', 'aborted'];

/** The output file of a prediction, kept on disk under the work dir until it expires. */
export interface OutputFile {
  name: string;
  path: string;
  contentType: string;
  bytes: number;
}

/** What tests see of every prediction ever created. */
export interface PredictionRecord {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  status: PredictionStatus;
  output: string | null;
  error: string | null;
  logs: string;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  webhook: string | null;
  webhookEventsFilter: WebhookEvent[];
  /** Cancelled through the API (the status is then "canceled"). */
  cancelled: boolean;
  /** The output has expired, or an expire-output fault removed it. */
  dataRemoved: boolean;
  /** ffmpeg processes started for this prediction, so tests can check that cancel killed them. */
  renderPids: number[];
  /** The faults that applied to this prediction. */
  faults: FaultKind[];
  webhookAttempts: WebhookAttempt[];
}

/** Replicate's ids: 26 lowercase base32 characters. */
export function newPredictionId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return Array.from(randomBytes(26), (byte) => alphabet[byte % 32]).join('');
}

export interface PredictionInit {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  text: string;
  createdAtMs: number;
  webhook: string | null;
  webhookEventsFilter: WebhookEvent[];
  tampering: WebhookTampering;
  faults: FaultKind[];
}

/** One prediction's state. The runner moves it along; the HTTP layer presents it. */
export class Prediction {
  readonly id: string;
  readonly model: string;
  readonly version: string;
  readonly input: Record<string, unknown>;
  /** What faults match on: the prompt, or the text for speech. */
  readonly text: string;
  readonly createdAtMs: number;
  readonly webhook: string | null;
  readonly webhookEventsFilter: WebhookEvent[];
  readonly tampering: WebhookTampering;
  readonly faults: FaultKind[];
  readonly abort = new AbortController();
  readonly renderPids: number[] = [];
  readonly webhookAttempts: WebhookAttempt[] = [];

  status: PredictionStatus = 'starting';
  logs = '';
  error: string | null = null;
  startedAtMs: number | null = null;
  completedAtMs: number | null = null;
  outputFile: OutputFile | null = null;
  /** A model whose output is a list of files (flux: `uri[]`) has them all here (outputFile is the first). */
  outputFiles: OutputFile[] = [];
  /** The output is a list of URLs even when there is one file. */
  outputIsList = false;
  /** Output carried in the prediction itself (the planner's text), never expiring like files do. */
  inlineOutput: string[] | null = null;
  /** The origin put in front of /files/... in the output URL (another one under foreign-host-output). */
  outputOrigin: string | null = null;
  /** Set by an expire-output fault: the output URL is shown, but the file is gone. */
  outputRemoved = false;
  /** Set by a remove-data fault: the data is removed as the prediction completes. */
  removeDataOnCompletion = false;
  cancelled = false;
  /** Metrics the model adds (language models: input_token_count, output_token_count). */
  extraMetrics: Record<string, number> = {};

  private settle: () => void = () => undefined;
  /** Resolves when the prediction reaches a terminal status. */
  readonly done: Promise<void>;

  constructor(init: PredictionInit) {
    this.id = init.id;
    this.model = init.model;
    this.version = init.version;
    this.input = init.input;
    this.text = init.text;
    this.createdAtMs = init.createdAtMs;
    this.webhook = init.webhook;
    this.webhookEventsFilter = init.webhookEventsFilter;
    this.tampering = init.tampering;
    this.faults = init.faults;
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  get terminal(): boolean {
    return TERMINAL_STATUSES.includes(this.status);
  }

  /** Moves to a terminal status once; later attempts (a render finishing after cancel) are ignored. */
  finish(
    status: 'succeeded' | 'failed' | 'canceled' | 'aborted',
    nowMs: number,
    error: string | null = null,
  ): boolean {
    if (this.terminal) return false;
    this.status = status;
    this.error = error;
    this.completedAtMs = nowMs;
    this.settle();
    return true;
  }

  appendLog(line: string): void {
    this.logs += `${line}\n`;
  }

  /**
   * Replicate removes an API prediction's input, output and logs an hour after it completes
   * (data_removed: true), whatever its output was: files and text alike.
   */
  isExpired(nowMs: number, ttlMs: number): boolean {
    return (
      this.completedAtMs !== null && (this.removeDataOnCompletion || nowMs >= this.completedAtMs + ttlMs)
    );
  }
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export interface PresentOptions {
  apiBase: string;
  webBase: string;
  nowMs: number;
  ttlMs: number;
}

/**
 * The prediction as Replicate's API returns it: the documented fields only. Replicate's prediction
 * object has no `webhook` (nor its filter), so nothing may rely on reading it back. Once the data
 * is removed, input, output and logs are gone.
 */
export function presentPrediction(
  p: Prediction,
  { apiBase, webBase, nowMs, ttlMs }: PresentOptions,
): Record<string, unknown> {
  const removed = p.isExpired(nowMs, ttlMs);
  const fileUrl = (file: OutputFile): string => `${p.outputOrigin}/files/${p.id}/${file.name}`;
  const files = p.outputFiles.length > 0 ? p.outputFiles : p.outputFile ? [p.outputFile] : [];
  let output: unknown = null;
  if (removed) output = null;
  else if (p.inlineOutput) output = p.inlineOutput;
  else if (files.length > 0 && p.outputOrigin)
    output = p.outputIsList ? files.map(fileUrl) : fileUrl(files[0] as OutputFile);
  const predictTime =
    p.startedAtMs !== null ? ((p.completedAtMs ?? nowMs) - p.startedAtMs) / 1000 : undefined;
  return {
    id: p.id,
    model: p.model,
    version: p.version,
    input: removed ? {} : p.input,
    logs: removed ? '' : p.logs,
    output,
    data_removed: removed,
    error: p.error,
    status: p.status,
    source: 'api',
    created_at: iso(p.createdAtMs),
    started_at: iso(p.startedAtMs),
    completed_at: iso(p.completedAtMs),
    urls: {
      get: `${apiBase}/predictions/${p.id}`,
      cancel: `${apiBase}/predictions/${p.id}/cancel`,
      web: `${webBase}/p/${p.id}`,
    },
    ...(p.completedAtMs !== null && predictTime !== undefined
      ? {
          metrics: {
            ...p.extraMetrics,
            predict_time: predictTime,
            total_time: (p.completedAtMs - p.createdAtMs) / 1000,
          },
        }
      : {}),
  };
}

export function predictionRecord(
  p: Prediction,
  nowMs: number,
  ttlMs: number,
  present: Record<string, unknown>,
): PredictionRecord {
  return {
    id: p.id,
    model: p.model,
    version: p.version,
    input: p.input,
    status: p.status,
    output:
      typeof present.output === 'string'
        ? present.output
        : Array.isArray(present.output)
          ? p.outputIsList
            ? (present.output[0] ?? null)
            : present.output.join('')
          : null,
    error: p.error,
    logs: p.logs,
    createdAt: new Date(p.createdAtMs).toISOString(),
    startedAt: iso(p.startedAtMs),
    completedAt: iso(p.completedAtMs),
    webhook: p.webhook,
    webhookEventsFilter: [...p.webhookEventsFilter],
    cancelled: p.cancelled,
    dataRemoved: p.isExpired(nowMs, ttlMs) || p.outputRemoved,
    renderPids: [...p.renderPids],
    faults: [...p.faults],
    webhookAttempts: [...p.webhookAttempts],
  };
}
