import { z } from 'zod';
import { EVENT_VERSION } from './define-event';
import {
  InvalidEventError,
  MalformedEnvelopeError,
  UnknownEventTypeError,
  UnknownEventVersionError,
} from './errors';
import type { AnyEventDefinition } from './registry';

/** The EventBridge envelope as it arrives in an SQS message body. */
const envelopeSchema = z.looseObject({
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  time: z.string().min(1),
  detail: z.record(z.string(), z.unknown()),
  'replay-name': z.string().optional(),
});

export interface EventEnvelope {
  id: string;
  detailType: string;
  source: string;
  time: string;
  replayName?: string;
}

/** A decoded event: `type` narrows `detail` to the event's own type. */
export type DecodedEvent<D extends AnyEventDefinition> = D extends AnyEventDefinition
  ? { type: D['detailType']; detail: z.output<D['schema']>; envelope: EventEnvelope }
  : never;

/**
 * Parses an EventBridge event delivered through SQS into one of the expected events.
 * Every failure is permanent (the message will never parse), so it is thrown as a non-retryable error.
 */
export function decodeEvent<D extends AnyEventDefinition>(
  body: string,
  expected: readonly D[],
): DecodedEvent<D> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedEnvelopeError('message body is not JSON');
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    throw new MalformedEnvelopeError(
      `message body is not an EventBridge event: ${z.prettifyError(envelope.error)}`,
    );
  }
  const { detail, 'detail-type': detailType } = envelope.data;
  const definition = expected.find((d) => d.detailType === detailType);
  if (!definition) {
    throw new UnknownEventTypeError(
      `${detailType} is not one of ${expected.map((d) => d.detailType).join(', ')}`,
    );
  }
  if (detail.version !== EVENT_VERSION) {
    throw new UnknownEventVersionError(
      `${detailType} version ${String(detail.version)} is not supported (expected ${EVENT_VERSION})`,
    );
  }
  if (!(definition.sources as readonly string[]).includes(envelope.data.source)) {
    throw new InvalidEventError(`${detailType} from ${envelope.data.source} is not accepted`);
  }
  const parsed = definition.schema.safeParse(detail);
  if (!parsed.success) {
    throw new InvalidEventError(`invalid ${detailType}: ${z.prettifyError(parsed.error)}`);
  }
  return {
    type: definition.detailType,
    detail: parsed.data,
    envelope: {
      id: envelope.data.id,
      detailType,
      source: envelope.data.source,
      time: envelope.data.time,
      ...(envelope.data['replay-name'] ? { replayName: envelope.data['replay-name'] } : {}),
    },
  } as DecodedEvent<D>;
}
