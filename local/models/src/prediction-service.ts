import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { findModel, type LocalModel, type PreparedRun } from './catalog';
import type { FaultBook, FaultKind } from './faults';
import { newPredictionId, Prediction } from './prediction';
import type { FetchedInput } from './render/render-context';
import { RenderAbortedError } from './render/run-ffmpeg';
import type { RenderSlots } from './render-slots';
import { SavedPredictions } from './saved-predictions';
import type { WebhookEvent, WebhookSender } from './webhook-delivery';

export interface PredictionServiceDeps {
  workDir: string;
  ffmpegPath: string;
  clock: () => number;
  outputTtlMs: number;
  /** Render slots of `heavy` models; `light` ones use lightSlots (or these when there are none). */
  slots: RenderSlots;
  lightSlots?: RenderSlots;
  faults: FaultBook;
  webhooks: WebhookSender;
  /** The server's own origin, for output URLs. */
  origin: () => string;
  /** The Replicate-shaped JSON of a prediction, as webhooks carry it. */
  present: (p: Prediction) => Record<string, unknown>;
  /** How models that fetch like Replicate get a URL input of one field (input-urls.ts). */
  inputFetcher?: (field: string) => (url: string, signal: AbortSignal) => Promise<FetchedInput>;
}

export interface CreatePredictionRequest {
  model: LocalModel;
  run: PreparedRun;
  webhook: string | null;
  webhookEventsFilter: WebhookEvent[];
}

/** Replicate sends logs webhooks at most this often. */
const LOGS_WEBHOOK_INTERVAL_MS = 500;
/** How long a cancel waits for the render to be killed before answering. */
const CANCEL_SETTLE_MS = 3000;
const DEFAULT_FAILURE = 'RuntimeError: the model raised an exception (injected fail-prediction fault)';

/** Creates predictions and runs each one: queue for a render slot, render with ffmpeg, publish. */
export class PredictionService {
  private readonly predictions = new Map<string, Prediction>();
  private readonly runs = new Map<string, Promise<void>>();
  private readonly slowByPrediction = new Map<string, number>();
  private readonly failureByPrediction = new Map<string, string>();
  private readonly abortByPrediction = new Map<string, string | null>();
  private readonly foreignOriginByPrediction = new Map<string, string>();
  /** Predictions kept in the work folder, so a server restarted on it serves them again. */
  private readonly saved: SavedPredictions;
  private loaded = false;
  /** Set by close(): renders stop where they are and nothing is saved or announced any more. */
  private closing = false;

  constructor(private readonly deps: PredictionServiceDeps) {
    this.saved = new SavedPredictions(deps.workDir);
  }

  create({ model, run, webhook, webhookEventsFilter }: CreatePredictionRequest): Prediction {
    this.loadSaved();
    const subject = { model: model.id, text: run.text };
    const { faults } = this.deps;
    const applied: FaultKind[] = [];
    const take = <T>(fault: T | undefined, kind: FaultKind): T | undefined => {
      if (fault !== undefined) applied.push(kind);
      return fault;
    };
    const slow = take(faults.take('slow', subject), 'slow');
    const fail = take(faults.take('fail-prediction', subject), 'fail-prediction');
    const abort = take(faults.take('abort-prediction', subject), 'abort-prediction');
    const foreign = take(faults.take('foreign-host-output', subject), 'foreign-host-output');
    const expire = take(faults.take('expire-output', subject), 'expire-output');
    const removeData = take(faults.take('remove-data', subject), 'remove-data');
    // Webhook faults only make sense (and are only used up) when there is a webhook to tamper with.
    const webhookFault = <K extends 'drop-webhook' | 'forge-webhook' | 'stale-webhook' | 'duplicate-webhook'>(
      kind: K,
    ) => (webhook ? take(faults.take(kind, subject), kind) : undefined);
    const drop = webhookFault('drop-webhook');
    const forge = webhookFault('forge-webhook');
    const stale = webhookFault('stale-webhook');
    const duplicate = webhookFault('duplicate-webhook');

    const prediction = new Prediction({
      id: newPredictionId(),
      model: model.id,
      version: model.version,
      input: run.input,
      text: run.text,
      createdAtMs: this.deps.clock(),
      webhook,
      webhookEventsFilter,
      tampering: {
        drop: drop !== undefined,
        forge: forge !== undefined,
        staleBySec: stale ? (stale.ageSec ?? 600) : undefined,
        duplicateCompleted: duplicate !== undefined,
      },
      faults: applied,
    });
    if (slow) this.slowByPrediction.set(prediction.id, slow.delayMs);
    if (fail) this.failureByPrediction.set(prediction.id, fail.error ?? DEFAULT_FAILURE);
    if (abort) this.abortByPrediction.set(prediction.id, abort.error ?? null);
    if (foreign) this.foreignOriginByPrediction.set(prediction.id, foreign.origin ?? this.foreignOrigin());
    if (expire) prediction.outputRemoved = true;
    if (removeData) prediction.removeDataOnCompletion = true;
    this.predictions.set(prediction.id, prediction);
    this.notify(prediction, 'start');
    const running = this.run(prediction, run, model);
    this.runs.set(prediction.id, running);
    void running.finally(() => this.runs.delete(prediction.id));
    return prediction;
  }

  get(id: string): Prediction | undefined {
    this.loadSaved();
    return this.predictions.get(id);
  }

  /** Every prediction, oldest first. */
  all(): Prediction[] {
    this.loadSaved();
    return [...this.predictions.values()];
  }

  /** Cancels a prediction that has not ended, kills its ffmpeg, and answers once it is dead. */
  async cancel(id: string): Promise<Prediction | undefined> {
    this.loadSaved();
    const prediction = this.predictions.get(id);
    if (!prediction) return undefined;
    if (prediction.finish('canceled', this.deps.clock())) {
      prediction.cancelled = true;
      prediction.appendLog('prediction canceled');
      prediction.abort.abort();
      this.notify(prediction, 'completed');
      const running = this.runs.get(id);
      if (running) await Promise.race([running, delay(CANCEL_SETTLE_MS)]);
    }
    return prediction;
  }

  /** Deletes the files of expired outputs and of outputs an expire-output fault removed. */
  async removeExpiredOutputs(): Promise<void> {
    const now = this.deps.clock();
    for (const prediction of this.predictions.values()) {
      const file = prediction.outputFile;
      if (file && (prediction.outputRemoved || prediction.isExpired(now, this.deps.outputTtlMs))) {
        await rm(join(this.deps.workDir, prediction.id), { recursive: true, force: true });
      }
    }
  }

  /**
   * Stops the renders without ending their predictions: the saved files keep them `starting` or
   * `processing`, and a server started on the same work folder runs them again (loadSaved). Ending
   * them here (canceled, "the local model server shut down") failed a scene whenever the local
   * cloud restarted, which Replicate, running predictions on its own machines, never does.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const prediction of this.predictions.values()) if (!prediction.terminal) prediction.abort.abort();
    await Promise.allSettled([...this.runs.values()]);
  }

  private foreignOrigin(): string {
    return this.deps.origin().replace('://127.0.0.1:', '://127.0.0.2:');
  }

  /**
   * Loads the predictions a previous server left in the work folder, once, as the server starts
   * listening (or at the first request; the server's own origin, which their output URLs use, must
   * be known), and runs again the ones that had not ended.
   */
  loadSaved(): void {
    if (this.loaded || !this.deps.origin()) return;
    this.loaded = true;
    for (const prediction of this.saved.load(this.deps.origin())) {
      this.predictions.set(prediction.id, prediction);
      if (!prediction.terminal) this.resume(prediction);
    }
  }

  /**
   * Runs again a prediction a stopped server left unfinished, from the start (its input is saved;
   * an injected failure or abort it carried applies again, its webhook tampering and slowness do
   * not). A model this server no longer knows ends it `aborted`, as Replicate ends one it cannot run.
   */
  private resume(prediction: Prediction): void {
    const model = findModel(`${prediction.model}:${prediction.version}`) ?? findModel(prediction.model);
    const prepared = model?.prepare(prediction.input);
    if (!model || !prepared?.ok) {
      const reason = `the prediction could not be resumed after a restart of the local model server`;
      if (prediction.finish('aborted', this.deps.clock(), reason)) this.notify(prediction, 'completed');
      return;
    }
    if (prediction.faults.includes('fail-prediction'))
      this.failureByPrediction.set(prediction.id, DEFAULT_FAILURE);
    if (prediction.faults.includes('abort-prediction')) this.abortByPrediction.set(prediction.id, null);
    prediction.status = 'starting';
    prediction.startedAtMs = null;
    prediction.appendLog('resumed after a restart of the local model server');
    const running = this.run(prediction, prepared.run, model);
    this.runs.set(prediction.id, running);
    void running.finally(() => this.runs.delete(prediction.id));
  }

  private notify(prediction: Prediction, event: WebhookEvent): void {
    // A stopping server changes nothing on disk: what it was doing resumes on the next one.
    if (this.closing) return;
    // Every change a webhook would announce is saved first, whether or not there is a webhook.
    this.saved.save(prediction, this.deps.origin());
    if (!prediction.webhook || !prediction.webhookEventsFilter.includes(event)) return;
    this.deps.webhooks.enqueue(prediction.id, {
      url: prediction.webhook,
      event,
      body: JSON.stringify(this.deps.present(prediction)),
      tampering: prediction.tampering,
      record: (attempt) => prediction.webhookAttempts.push(attempt),
    });
  }

  private async run(prediction: Prediction, run: PreparedRun, model: LocalModel): Promise<void> {
    const { scheduling } = model;
    const { signal } = prediction.abort;
    const dir = join(this.deps.workDir, prediction.id);
    try {
      await mkdir(dir, { recursive: true });
      const slowMs = this.slowByPrediction.get(prediction.id);
      if (slowMs !== undefined) await abortableDelay(slowMs, signal);
      // Replicate aborts a prediction that could not be run (a deadline passed while it queued, a
      // node was lost): it never reaches "processing" and has no output.
      if (this.abortByPrediction.has(prediction.id)) {
        const reason = this.abortByPrediction.get(prediction.id) ?? null;
        if (reason) prediction.appendLog(reason);
        if (prediction.finish('aborted', this.deps.clock(), reason)) this.notify(prediction, 'completed');
        return;
      }
      const slots = scheduling.lane === 'light' ? (this.deps.lightSlots ?? this.deps.slots) : this.deps.slots;
      const release = await slots.acquire(signal, scheduling.priority);
      try {
        if (prediction.terminal) return;
        prediction.status = 'processing';
        prediction.startedAtMs = this.deps.clock();
        const failure = this.failureByPrediction.get(prediction.id);
        if (failure !== undefined) {
          prediction.appendLog(failure);
          if (prediction.finish('failed', this.deps.clock(), failure)) this.notify(prediction, 'completed');
          return;
        }
        let lastLogsWebhook = 0;
        const inputFetcher = model.fetchesInputsLikeReplicate ? this.deps.inputFetcher : undefined;
        const output = await run.render({
          ...(inputFetcher
            ? { fetchInput: (url: string, s: AbortSignal, field = 'input') => inputFetcher(field)(url, s) }
            : {}),
          ffmpegPath: this.deps.ffmpegPath,
          dir,
          signal,
          onSpawn: (pid) => prediction.renderPids.push(pid),
          log: (line) => {
            prediction.appendLog(line);
            const now = Date.now();
            if (now - lastLogsWebhook >= LOGS_WEBHOOK_INTERVAL_MS) {
              lastLogsWebhook = now;
              this.notify(prediction, 'logs');
            }
          },
        });
        if (prediction.terminal || this.closing) return;
        if (run.metrics) prediction.extraMetrics = run.metrics(output);
        if ('inline' in output) {
          prediction.inlineOutput = output.inline;
          this.notify(prediction, 'output');
          if (prediction.finish('succeeded', this.deps.clock())) this.notify(prediction, 'completed');
          return;
        }
        const rendered = 'files' in output ? output.files : [output];
        prediction.outputFiles = await Promise.all(
          rendered.map(async (file) => ({
            name: file.fileName,
            path: join(dir, file.fileName),
            contentType: file.contentType,
            bytes: (await stat(join(dir, file.fileName))).size,
          })),
        );
        prediction.outputIsList = 'files' in output;
        prediction.outputFile = prediction.outputFiles[0] ?? null;
        prediction.outputOrigin = this.foreignOriginByPrediction.get(prediction.id) ?? this.deps.origin();
        if (prediction.outputRemoved)
          await Promise.all(prediction.outputFiles.map((file) => rm(file.path, { force: true })));
        this.notify(prediction, 'output');
        if (prediction.finish('succeeded', this.deps.clock())) this.notify(prediction, 'completed');
      } finally {
        release();
      }
    } catch (error) {
      if (error instanceof RenderAbortedError || prediction.terminal || this.closing) return;
      const message = error instanceof Error ? error.message : String(error);
      prediction.appendLog(message);
      if (prediction.finish('failed', this.deps.clock(), message)) this.notify(prediction, 'completed');
    } finally {
      this.slowByPrediction.delete(prediction.id);
      this.failureByPrediction.delete(prediction.id);
      this.abortByPrediction.delete(prediction.id);
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new RenderAbortedError());
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new RenderAbortedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
