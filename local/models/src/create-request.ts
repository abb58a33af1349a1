import { findModel, type LocalModel } from './catalog';
import { type InvalidField, invalidFieldsDetail } from './input-validation';
import { WEBHOOK_EVENTS, type WebhookEvent } from './webhook-delivery';

/** A create request's body, checked the way Replicate checks it before a prediction exists. */
export interface ParsedCreateRequest {
  model: LocalModel;
  input: Record<string, unknown>;
  webhook: string | null;
  webhookEventsFilter: WebhookEvent[];
}

export type CreateRequestProblem =
  | { status: 400; title: string; detail: string }
  | { status: 404; title: string; detail: string }
  | { status: 422; title: string; detail: string; invalidFields: InvalidField[] };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function invalid(fields: InvalidField[]): CreateRequestProblem {
  return {
    status: 422,
    title: 'Input validation failed',
    detail: invalidFieldsDetail(fields),
    invalidFields: fields,
  };
}

/**
 * modelFromPath: "owner/name" from /v1/models/{owner}/{name}/predictions; otherwise the body's
 * `version` ("owner/name", "owner/name:version" or a version id) names the model.
 */
export function parseCreateRequest(
  body: unknown,
  modelFromPath: string | undefined,
): { ok: true; request: ParsedCreateRequest } | { ok: false; problem: CreateRequestProblem } {
  if (!isObject(body)) {
    return {
      ok: false,
      problem: { status: 400, title: 'Bad request', detail: 'The request body must be a JSON object.' },
    };
  }
  let model: LocalModel | undefined;
  if (modelFromPath !== undefined) {
    model = findModel(modelFromPath);
    // Only official models run by name; a community model (or an unknown one) is a 404 there,
    // with Replicate's generic body. It runs by version on POST /v1/predictions.
    if (!model?.official) {
      return {
        ok: false,
        problem: { status: 404, title: 'Not found', detail: 'The requested resource could not be found.' },
      };
    }
  } else {
    const version = body.version;
    model = typeof version === 'string' ? findModel(version) : undefined;
    // "owner/name" alone names no version: only official models may be named that way.
    const namedOnly =
      typeof version === 'string' && !version.includes(':') && !/^[0-9a-f]{64}$/.test(version);
    if (!model || (namedOnly && !model.official)) {
      return {
        ok: false,
        problem: {
          status: 422,
          title: 'Invalid version or not permitted',
          detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
          invalidFields: [
            { type: 'invalid_version', field: 'version', description: 'Invalid version or not permitted' },
          ],
        },
      };
    }
  }
  if (!isObject(body.input)) {
    return {
      ok: false,
      problem: invalid([{ type: 'required', field: 'input', description: 'input is required' }]),
    };
  }
  let webhook: string | null = null;
  if (body.webhook !== undefined && body.webhook !== null) {
    const url =
      typeof body.webhook === 'string' && URL.canParse(body.webhook) ? new URL(body.webhook) : undefined;
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      return {
        ok: false,
        problem: invalid([{ type: 'format', field: 'webhook', description: 'Enter a valid URL.' }]),
      };
    }
    webhook = url.toString();
  }
  let webhookEventsFilter: WebhookEvent[] = [...WEBHOOK_EVENTS];
  if (body.webhook_events_filter !== undefined && body.webhook_events_filter !== null) {
    const filter = body.webhook_events_filter;
    const valid =
      Array.isArray(filter) &&
      filter.every((event) => typeof event === 'string' && WEBHOOK_EVENTS.includes(event as WebhookEvent));
    if (!valid) {
      return {
        ok: false,
        problem: invalid([
          {
            type: 'enum',
            field: 'webhook_events_filter',
            description: `webhook_events_filter must be a list of: ${WEBHOOK_EVENTS.join(', ')}`,
          },
        ]),
      };
    }
    webhookEventsFilter = [...new Set(filter as WebhookEvent[])];
  }
  return { ok: true, request: { model, input: body.input, webhook, webhookEventsFilter } };
}

/** Seconds to hold a create request open for "Prefer: wait" or "Prefer: wait=N" (Replicate: 1 to 60). */
export function preferWaitSeconds(prefer: string | undefined): number | undefined {
  if (!prefer) return undefined;
  const match = /(?:^|[\s,;])wait(?:\s*=\s*(\d+))?(?:$|[\s,;])/.exec(prefer);
  if (!match) return undefined;
  const seconds = match[1] === undefined ? 60 : Number(match[1]);
  return Math.min(60, Math.max(1, seconds));
}
