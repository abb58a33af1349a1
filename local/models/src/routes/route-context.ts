import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultBook } from '../faults';
import type { FileStore } from '../files-api';
import { sendProblem } from '../http-io';
import type { Prediction } from '../prediction';
import type { PredictionService } from '../prediction-service';

/** What every route of the model server reads: its stores, its clock and how it presents a prediction. */
export interface RouteContext {
  /** http://127.0.0.1:<port>, known once the server listens. */
  origin(): string;
  /** `${origin}/v1`: the base of the API URLs the server hands out. */
  apiBase(): string;
  clock: () => number;
  outputTtlMs: number;
  faults: FaultBook;
  files: FileStore;
  predictions: PredictionService;
  present(prediction: Prediction): Record<string, unknown>;
  /** "whsec_<base64>", which GET /v1/webhooks/default/secret hands out as Replicate does. */
  webhookSigningSecret: string;
}

/** A family of routes: answers and returns true when the request is one of its own, else false. */
export type RouteFamily = (
  request: { req: IncomingMessage; res: ServerResponse; url: URL; method: string },
  context: RouteContext,
) => Promise<boolean>;

export function sendNotFound(
  res: ServerResponse,
  detail = 'The requested resource could not be found.',
): void {
  sendProblem(res, 404, 'Not found', detail);
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The answer of an armed server-error fault. */
export function sendInjectedOutage(res: ServerResponse, status = 503): void {
  sendProblem(res, status, 'Service Unavailable', 'The service is temporarily unavailable (injected fault).');
}
