import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_MODEL_IDS } from '@reelay/replicate-models';
import { findModel, LOCAL_MODELS } from '../catalog';
import { parseCreateRequest, preferWaitSeconds } from '../create-request';
import { RequestBodyTooLargeError, readBody, sendJson, sendProblem } from '../http-io';
import { invalidFieldsDetail } from '../input-validation';
import { headerValue, type RouteContext, sendInjectedOutage } from './route-context';

const MAX_BODY_BYTES = 1_000_000;

/** Planner models: their prompt quotes the job's, so faults aimed at a scene's prompt must not hit them. */
const PLANNER_MODELS = new Set<string>([LOCAL_MODELS.planner, DEFAULT_MODEL_IDS.planner]);

/**
 * POST /v1/predictions or /v1/models/{owner}/{name}/predictions, checked as strictly as Replicate:
 * a body that is not JSON (400) or too large (413), an armed throttle (429) or outage (5xx), a
 * malformed request or input (4xx/422) is refused before anything renders.
 */
export async function createPrediction(
  req: IncomingMessage,
  res: ServerResponse,
  context: RouteContext,
  modelFromPath?: string,
): Promise<void> {
  const body = await readJsonBody(req, res);
  if (body === NOT_READ) return;
  if (answeredByInjectedFault(body, res, context, modelFromPath)) return;
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
    sendProblem(res, 422, 'Input validation failed', detail, { extra: { invalid_fields: prepared.invalid } });
    return;
  }
  const prediction = context.predictions.create({ model, run: prepared.run, webhook, webhookEventsFilter });
  // `Prefer: wait=n` holds the answer until the prediction finishes or n seconds pass, as Replicate does.
  const waitSec = preferWaitSeconds(headerValue(req.headers.prefer));
  if (waitSec !== undefined) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      prediction.done,
      new Promise((resolve) => (timer = setTimeout(resolve, waitSec * 1000))),
    ]);
    clearTimeout(timer);
  }
  sendJson(res, 201, context.present(prediction), {
    location: `${context.apiBase()}/predictions/${prediction.id}`,
  });
}

const NOT_READ = Symbol('the body was refused');

async function readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  try {
    return JSON.parse((await readBody(req, MAX_BODY_BYTES)).toString('utf8'));
  } catch (error) {
    if (error instanceof RequestBodyTooLargeError) sendProblem(res, 413, 'Request too large', error.message);
    else sendProblem(res, 400, 'Bad request', 'The request body is not valid JSON.');
    return NOT_READ;
  }
}

/** An armed rate-limit or create-time server-error fault that matches the request answers it. */
function answeredByInjectedFault(
  body: unknown,
  res: ServerResponse,
  { faults }: RouteContext,
  modelFromPath: string | undefined,
): boolean {
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
    return true;
  }
  const broken = faults.take('server-error', subject, (fault) => (fault.on ?? 'create') === 'create');
  if (!broken) return false;
  sendInjectedOutage(res, broken.status);
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
