import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createFaultBook, type ModelFaults } from './faults';
import { FileStore } from './files-api';
import { sendProblem } from './http-io';
import { inputUrlFetcher } from './input-urls';
import { type Prediction, type PredictionRecord, predictionRecord, presentPrediction } from './prediction';
import { PredictionService } from './prediction-service';
import { RenderSlots } from './render-slots';
import type { RouteContext } from './routes/route-context';
import { modelServerRouter } from './routes/router';
import { WebhookSender } from './webhook-delivery';
import { webhookSigningKey } from './webhook-signing';

export interface LocalModelServerOptions {
  /** 0 (the default) picks a free port; the server binds 127.0.0.1 only. */
  port?: number;
  /** The Bearer token every /v1 request must carry (401 otherwise). */
  apiToken: string;
  /** "whsec_<base64>": webhooks are signed with it the way Replicate signs them (Standard Webhooks). */
  webhookSigningSecret: string;
  /** Where each prediction's inputs and output are written, one folder per prediction. */
  workDir: string;
  ffmpegPath: string;
  ffprobePath?: string;
  /** Output URLs stop working this long after the prediction completes (default 3600, like Replicate). */
  outputTtlSec?: number;
  /** Heavy renders (pictures, music) at once (default 2); the rest wait in "starting". Speech and the planner have one more slot of their own. */
  renderConcurrency?: number;
  /** Milliseconds since the epoch; tests move it to expire outputs and to age webhook timestamps. */
  clock?: () => number;
}

export interface LocalModelServer {
  /** http://127.0.0.1:<port>; the replicate client's baseUrl is `${url}/v1`. */
  url: string;
  faults: ModelFaults;
  /** Every prediction ever created, oldest first. */
  predictions(): PredictionRecord[];
  /** Resolves once every webhook queued so far has been delivered or given up on. */
  webhooksSettled(): Promise<void>;
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 30_000;
/** Light renders (planner, speech) at once, beside the heavy ones (catalog.ts RenderScheduling). */
const LIGHT_RENDER_CONCURRENCY = 1;

/**
 * Starts the local Replicate-compatible model server: its stores and prediction service, the router
 * (routes/: one file per route family), and a sweeper that deletes expired outputs.
 */
export async function startLocalModelServer(options: LocalModelServerOptions): Promise<LocalModelServer> {
  await mkdir(options.workDir, { recursive: true });
  let origin = '';
  const { context, webhooks } = modelServerContext(options, () => origin);
  const { predictions: service, clock, outputTtlMs, present } = context;
  const server = createServer(answeringErrors(modelServerRouter(context, options.apiToken)));
  // Longer than any client's idle keep-alive: a socket closed just as a client reuses it is an
  // ECONNRESET on a busy machine (the local HTTP API does the same).
  server.keepAliveTimeout = 65_000;
  origin = await listenOnLoopback(server, options.port ?? 0);
  // Predictions a previous server left in the work folder are served again, the unfinished ones run on.
  service.loadSaved();
  const sweeper = setInterval(
    () => void service.removeExpiredOutputs().catch(() => undefined),
    SWEEP_INTERVAL_MS,
  );
  sweeper.unref();

  return {
    url: origin,
    faults: context.faults,
    predictions: () => service.all().map((p) => predictionRecord(p, clock(), outputTtlMs, present(p))),
    webhooksSettled: () => webhooks.settled(),
    async close() {
      clearInterval(sweeper);
      await service.close();
      webhooks.stop();
      await webhooks.settled();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The server's stores, clock, fault book and prediction service, as the routes see them. */
function modelServerContext(
  options: LocalModelServerOptions,
  origin: () => string,
): { context: RouteContext; webhooks: WebhookSender } {
  const clock = options.clock ?? Date.now;
  const outputTtlMs = (options.outputTtlSec ?? 3600) * 1000;
  const apiBase = (): string => `${origin()}/v1`;
  const faults = createFaultBook();
  const files = new FileStore(join(options.workDir, 'uploads'), clock);
  const webhooks = new WebhookSender(webhookSigningKey(options.webhookSigningSecret), () => clock() / 1000);
  const present = (p: Prediction): Record<string, unknown> =>
    presentPrediction(p, { apiBase: apiBase(), webBase: origin(), nowMs: clock(), ttlMs: outputTtlMs });
  const predictions: PredictionService = new PredictionService({
    workDir: options.workDir,
    ffmpegPath: options.ffmpegPath,
    clock,
    outputTtlMs,
    slots: new RenderSlots(options.renderConcurrency ?? 2),
    lightSlots: new RenderSlots(LIGHT_RENDER_CONCURRENCY),
    faults,
    webhooks,
    origin,
    present,
    inputFetcher: (field) =>
      inputUrlFetcher(
        { origin, files, prediction: (id) => predictions.get(id), nowMs: clock, outputTtlMs },
        field,
      ),
  });
  const webhookSigningSecret = options.webhookSigningSecret;
  return {
    context: {
      origin,
      apiBase,
      clock,
      outputTtlMs,
      faults,
      files,
      predictions,
      present,
      webhookSigningSecret,
    },
    webhooks,
  };
}

/** An error a route did not expect is a problem+json 500 (or a dropped socket once the answer has begun). */
function answeringErrors(
  route: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else
        sendProblem(
          res,
          500,
          'Internal Server Error',
          error instanceof Error ? error.message : String(error),
        );
    });
  };
}

/** Listens on 127.0.0.1 only and resolves to the server's origin. */
async function listenOnLoopback(server: Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
