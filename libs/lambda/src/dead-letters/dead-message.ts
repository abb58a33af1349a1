import { jobIdSchema, sceneIndexSchema } from '@reelay/events';
import { z } from 'zod';

/** The job a dead message belongs to, as far as its body tells. */
export interface DeadMessageOwner {
  jobId: string;
  userId?: string;
  correlationId?: string;
  sceneIndex?: number;
}

/**
 * What the ledger keeps of a dead message (JobFailed.deadMessage, as JSON): the body as received, the
 * DLQ it died in and the queue to send it back to, so it can be inspected and redriven.
 */
export const keptDeadMessageSchema = z.strictObject({
  deadLetterQueue: z.string().min(1),
  redriveTo: z.string().min(1),
  body: z.string(),
  /** EventBridge's reason for a rule-target dead letter (ERROR_CODE: ERROR_MESSAGE). */
  error: z.string().optional(),
  /** True when the body had to be cut to fit the event: such a message cannot be redriven as is. */
  truncated: z.boolean().optional(),
});
export type KeptDeadMessage = z.infer<typeof keptDeadMessageSchema>;

const ownerFieldsSchema = z.looseObject({
  jobId: jobIdSchema,
  sceneIndex: sceneIndexSchema.optional().catch(undefined),
  meta: z
    .looseObject({ userId: z.string().min(1).max(128), correlationId: z.string().min(1).max(128) })
    .optional()
    .catch(undefined),
});

/** A RenderScene execution name: <jobId>-<sceneIndex>-<attempt>. */
const EXECUTION_NAME = /^([0-9A-HJKMNP-TV-Z]{26})-(\d{1,2})-\d{1,2}$/;

/**
 * Finds the job in any body our queues carry: an EventBridge event (detail.jobId), a Step Functions
 * status change (detail.input, or the execution name), or a service-internal message ({ jobId }).
 * Hand-written because these are three shapes owned by others; each is parsed with zod.
 */
export function findDeadMessageOwner(body: string): DeadMessageOwner | undefined {
  return ownerOf(parseJson(body));
}

/**
 * The job a parsed message or task input names: findDeadMessageOwner's shapes, and a RenderScene
 * state ({ scene: ScenePlanned }).
 */
export function ownerOf(json: unknown): DeadMessageOwner | undefined {
  if (!isObject(json)) return undefined;
  const detail = isObject(json.detail) ? json.detail : undefined;
  const executionInput = detail && typeof detail.input === 'string' ? parseJson(detail.input) : undefined;
  const scene = isObject(json.scene) ? json.scene : undefined;
  const executionScene =
    isObject(executionInput) && isObject(executionInput.scene) ? executionInput.scene : undefined;
  for (const candidate of [detail, executionInput, json, scene, executionScene]) {
    const parsed = ownerFieldsSchema.safeParse(candidate);
    if (!parsed.success) continue;
    const { jobId, sceneIndex, meta } = parsed.data;
    return {
      jobId,
      ...(meta ? { userId: meta.userId, correlationId: meta.correlationId } : {}),
      ...(sceneIndex === undefined ? {} : { sceneIndex }),
    };
  }
  const name = detail && typeof detail.name === 'string' ? EXECUTION_NAME.exec(detail.name) : null;
  if (name?.[1] && name[2]) return { jobId: name[1], sceneIndex: Number(name[2]) };
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
