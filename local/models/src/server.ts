import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_MODEL_IDS } from '@reelay/replicate-models';
import { findModel, LOCAL_MODELS, type LocalModel, MODELS } from './catalog';
import { CONTRACT_MODELS } from './contract-models';
import { parseCreateRequest, preferWaitSeconds } from './create-request';
import { createFaultBook, type ModelFaults } from './faults';
import { FileStore, MAX_FILE_BYTES, parseUpload, presentFile } from './files-api';
import { RequestBodyTooLargeError, readBody, sendJson, sendProblem } from './http-io';
import { inputUrlFetcher } from './input-urls';
import { invalidFieldsDetail } from './input-validation';
import { serveOutputFile } from './output-files';
import { type Prediction, type PredictionRecord, predictionRecord, presentPrediction } from './prediction';
import { PredictionService } from './prediction-service';
import { RenderSlots } from './render-slots';
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

const MAX_BODY_BYTES = 1_000_000;
const LIST_PAGE_SIZE = 100;
const SWEEP_INTERVAL_MS = 30_000;
/** Light renders (planner, speech) at once, beside the heavy ones (catalog.ts RenderScheduling). */
const LIGHT_RENDER_CONCURRENCY = 1;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Planner models: their prompt quotes the job's, so faults aimed at a scene's prompt must not hit them. */
const PLANNER_MODELS = new Set<string>([LOCAL_MODELS.planner, DEFAULT_MODEL_IDS.planner]);

/** Starts the local Replicate-compatible model server. */
export async function startLocalModelServer(options: LocalModelServerOptions): Promise<LocalModelServer> {
  const clock = options.clock ?? Date.now;
  const ttlMs = (options.outputTtlSec ?? 3600) * 1000;
  const signingKey = webhookSigningKey(options.webhookSigningSecret);
  const tokenDigest = digest(options.apiToken);
  await mkdir(options.workDir, { recursive: true });

  let origin = '';
  const apiBase = (): string => `${origin}/v1`;
  const faults = createFaultBook();
  const files = new FileStore(join(options.workDir, 'uploads'), clock);
  const webhooks = new WebhookSender(signingKey, () => clock() / 1000);
  const present = (p: Prediction): Record<string, unknown> =>
    presentPrediction(p, { apiBase: apiBase(), webBase: origin, nowMs: clock(), ttlMs });
  const service: PredictionService = new PredictionService({
    workDir: options.workDir,
    ffmpegPath: options.ffmpegPath,
    clock,
    outputTtlMs: ttlMs,
    slots: new RenderSlots(options.renderConcurrency ?? 2),
    lightSlots: new RenderSlots(LIGHT_RENDER_CONCURRENCY),
    faults,
    webhooks,
    origin: () => origin,
    present,
    inputFetcher: (field) =>
      inputUrlFetcher(
        {
          origin: () => origin,
          files,
          prediction: (id) => service.get(id),
          nowMs: clock,
          outputTtlMs: ttlMs,
        },
        field,
      ),
  });

  const authorized = (req: IncomingMessage): boolean => {
    const match = /^(?:Bearer|Token)\s+(\S+)$/.exec(req.headers.authorization ?? '');
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), tokenDigest);
  };

  const presentModel = (model: LocalModel): Record<string, unknown> => ({
    url: `${origin}/${model.id}`,
    owner: model.owner,
    name: model.name,
    description: model.description,
    visibility: 'public',
    is_official: model.official,
    run_count: service.all().filter((p) => p.model === model.id).length,
    latest_version: presentVersion(model),
  });
  const presentVersion = (model: LocalModel): Record<string, unknown> => ({
    id: model.version,
    created_at: '2026-01-01T00:00:00.000Z',
    cog_version: '0.9.0',
    openapi_schema: model.openApiSchema,
  });

  async function createPrediction(
    req: IncomingMessage,
    res: ServerResponse,
    modelFromPath?: string,
  ): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, MAX_BODY_BYTES)).toString('utf8'));
    } catch (error) {
      if (error instanceof RequestBodyTooLargeError)
        sendProblem(res, 413, 'Request too large', error.message);
      else sendProblem(res, 400, 'Bad request', 'The request body is not valid JSON.');
      return;
    }
    const subjectModel =
      modelFromPath ??
      (isRecord(body) && typeof body.version === 'string' ? findModel(body.version)?.id : undefined);
    const input = isRecord(body) && isRecord(body.input) ? body.input : {};
    // The planner's prompt quotes the job's prompt: faults aimed at a scene's prompt must not hit it.
    const text = PLANNER_MODELS.has(subjectModel ?? '') ? '' : String(input.prompt ?? input.text ?? '');
    const subject = { model: subjectModel ?? '', text };
    const throttled = faults.take('rate-limit', subject);
    if (throttled) {
      const seconds = throttled.retryAfterSec ?? 2;
      sendProblem(
        res,
        429,
        'Request was throttled',
        `Request was throttled. Your rate limit resets in ~${seconds}s.`,
        // Replicate does not always send Retry-After: then the wait is only in the detail.
        throttled.bodyOnly ? {} : { headers: { 'retry-after': String(seconds) } },
      );
      return;
    }
    const broken = faults.take('server-error', subject, (fault) => (fault.on ?? 'create') === 'create');
    if (broken) {
      sendProblem(
        res,
        broken.status ?? 503,
        'Service Unavailable',
        'The service is temporarily unavailable (injected fault).',
      );
      return;
    }
    const parsed = parseCreateRequest(body, modelFromPath);
    if (!parsed.ok) {
      const { status, title, detail } = parsed.problem;
      const extra =
        parsed.problem.status === 422 ? { invalid_fields: parsed.problem.invalidFields } : undefined;
      sendProblem(res, status, title, detail, { extra });
      return;
    }
    const { model, webhook, webhookEventsFilter } = parsed.request;
    const prepared = model.prepare(parsed.request.input);
    if (!prepared.ok) {
      const detail = invalidFieldsDetail(prepared.invalid);
      sendProblem(res, 422, 'Input validation failed', detail, {
        extra: { invalid_fields: prepared.invalid },
      });
      return;
    }
    const prediction = service.create({ model, run: prepared.run, webhook, webhookEventsFilter });
    const waitSec = preferWaitSeconds(headerValue(req.headers.prefer));
    if (waitSec !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        prediction.done,
        new Promise((resolve) => (timer = setTimeout(resolve, waitSec * 1000))),
      ]);
      clearTimeout(timer);
    }
    sendJson(res, 201, present(prediction), { location: `${apiBase()}/predictions/${prediction.id}` });
  }

  async function uploadFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req, MAX_FILE_BYTES);
    } catch (error) {
      if (error instanceof RequestBodyTooLargeError)
        sendProblem(res, 413, 'Request too large', error.message);
      else throw error;
      return;
    }
    const upload = await parseUpload(body, headerValue(req.headers['content-type']));
    if (typeof upload === 'string') {
      sendProblem(res, 400, 'Bad request', upload);
      return;
    }
    const file = await files.create(upload.content, upload.name, upload.contentType, upload.metadata);
    sendJson(res, 201, presentFile(file, apiBase()));
  }

  function listPredictions(url: URL, res: ServerResponse): void {
    const newestFirst = service.all().reverse();
    const offset = Math.max(
      0,
      Number.parseInt(Buffer.from(url.searchParams.get('cursor') ?? '', 'base64url').toString() || '0', 10) ||
        0,
    );
    const page = newestFirst.slice(offset, offset + LIST_PAGE_SIZE);
    const cursorUrl = (at: number): string =>
      `${apiBase()}/predictions?cursor=${Buffer.from(String(at)).toString('base64url')}`;
    sendJson(res, 200, {
      previous: offset > 0 ? cursorUrl(Math.max(0, offset - LIST_PAGE_SIZE)) : null,
      next: offset + LIST_PAGE_SIZE < newestFirst.length ? cursorUrl(offset + LIST_PAGE_SIZE) : null,
      results: page.map(present),
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    const method = req.method ?? 'GET';

    const file = /^\/files\/([a-z0-9]{1,64})\/([\w.-]{1,64})$/.exec(path);
    if (file && (method === 'GET' || method === 'HEAD')) {
      const prediction = service.get(file[1] ?? '');
      await service.removeExpiredOutputs();
      serveOutputFile(req, res, prediction, file[2] ?? '', prediction?.isExpired(clock(), ttlMs) ?? true);
      return;
    }
    if (!path.startsWith('/v1/')) {
      sendProblem(res, 404, 'Not found', 'The requested resource could not be found.');
      return;
    }
    if (!authorized(req)) {
      sendProblem(res, 401, 'Unauthenticated', 'You did not pass a valid authentication token', {
        headers: { 'www-authenticate': 'Bearer' },
      });
      return;
    }

    const fileRoute = /^\/v1\/files\/([a-z0-9]+)(\/download)?$/.exec(path);
    if (path === '/v1/files' && method === 'POST') {
      await uploadFile(req, res);
      return;
    }
    if (path === '/v1/files' && method === 'GET') {
      sendJson(res, 200, {
        previous: null,
        next: null,
        results: files.list().map((f) => presentFile(f, apiBase())),
      });
      return;
    }
    if (fileRoute) {
      const [, id = '', download] = fileRoute;
      const file = files.get(id);
      if (method === 'DELETE' && !download) {
        if (await files.delete(id)) {
          res.writeHead(204);
          res.end();
        } else sendProblem(res, 404, 'Not found', 'The requested resource could not be found.');
      } else if (method !== 'GET' || !file) {
        sendProblem(res, 404, 'Not found', 'The requested resource could not be found.');
      } else if (download) {
        const body = (await files.read(id)) ?? Buffer.alloc(0);
        res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(body.length) });
        res.end(body);
      } else sendJson(res, 200, presentFile(file, apiBase()));
      return;
    }

    const modelPredictions = /^\/v1\/models\/([\w.-]+)\/([\w.-]+)\/predictions$/.exec(path);
    const onePrediction = /^\/v1\/predictions\/([a-z0-9]+)$/.exec(path);
    const cancel = /^\/v1\/predictions\/([a-z0-9]+)\/cancel$/.exec(path);
    const modelOrVersion = /^\/v1\/models\/([\w.-]+)\/([\w.-]+)(\/versions(?:\/([0-9a-f]+))?)?$/.exec(path);
    if (modelPredictions && method === 'POST') {
      await createPrediction(req, res, `${modelPredictions[1]}/${modelPredictions[2]}`);
    } else if (path === '/v1/predictions' && method === 'POST') {
      await createPrediction(req, res);
    } else if (path === '/v1/predictions' && method === 'GET') {
      listPredictions(url, res);
    } else if (onePrediction && method === 'GET') {
      const prediction = service.get(onePrediction[1] ?? '');
      const broken = prediction && faults.take('server-error', prediction, (fault) => fault.on === 'get');
      if (broken)
        sendProblem(
          res,
          broken.status ?? 503,
          'Service Unavailable',
          'The service is temporarily unavailable (injected fault).',
        );
      else if (!prediction)
        sendProblem(res, 404, 'Not found', 'The requested prediction could not be found.');
      else sendJson(res, 200, present(prediction));
    } else if (cancel && method === 'POST') {
      const prediction = await service.cancel(cancel[1] ?? '');
      if (!prediction) sendProblem(res, 404, 'Not found', 'The requested prediction could not be found.');
      else sendJson(res, 200, present(prediction));
    } else if (modelOrVersion && method === 'GET') {
      const model = findModel(`${modelOrVersion[1]}/${modelOrVersion[2]}`);
      const [, , , versions, versionId] = modelOrVersion;
      // Official models list no versions on Replicate (GET .../versions is a 404); their
      // latest_version is on the model.
      const versionless = model?.official === true && CONTRACT_MODELS.includes(model);
      if (
        !model ||
        (versions !== undefined && versionless) ||
        (versionId !== undefined && versionId !== model.version)
      ) {
        sendProblem(res, 404, 'Not found', 'The requested model or version could not be found.');
      } else if (versionId !== undefined) sendJson(res, 200, presentVersion(model));
      else if (versions !== undefined)
        sendJson(res, 200, { previous: null, next: null, results: [presentVersion(model)] });
      else sendJson(res, 200, presentModel(model));
    } else if (path === '/v1/models' && method === 'GET') {
      sendJson(res, 200, { previous: null, next: null, results: MODELS.map(presentModel) });
    } else if (path === '/v1/webhooks/default/secret' && method === 'GET') {
      sendJson(res, 200, { key: options.webhookSigningSecret });
    } else if (path === '/v1/account' && method === 'GET') {
      sendJson(res, 200, {
        type: 'organization',
        username: 'reelay-local',
        name: 'Reelay local models',
        github_url: null,
      });
    } else {
      sendProblem(res, 404, 'Not found', 'The requested resource could not be found.');
    }
  }

  const server: Server = createServer((req, res) => {
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
  });
  // Longer than any client's idle keep-alive: a socket closed just as a client reuses it is an
  // ECONNRESET on a busy machine (the local HTTP API does the same).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sweeper = setInterval(
    () => void service.removeExpiredOutputs().catch(() => undefined),
    SWEEP_INTERVAL_MS,
  );
  sweeper.unref();

  return {
    url: origin,
    faults,
    predictions: () => service.all().map((p) => predictionRecord(p, clock(), ttlMs, present(p))),
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
