import { type EventBridgeBackend, type PutEventsEntry, TargetDeliveryError } from '../../aws-json/src';
import { type FaultRecord, matchesName, type NameMatch } from './fault-record';

export interface DenyDeliveryMatch {
  /** The rule whose deliveries are denied (name, or pattern of names). */
  ruleName: NameMatch;
  /** Only this target of the rule (default: all its targets). */
  targetId?: string;
  /** Only events of this detail-type. */
  detailType?: string;
}

export interface PutEventsFailureMatch {
  detailType?: string;
  source?: string;
  where?: (entry: PutEventsEntry) => boolean;
  /** The ErrorCode AWS answers the entry with (default InternalFailure; also ThrottlingException). */
  errorCode?: string;
}

/** EventBridge faults: denied rule-target deliveries and refused PutEvents entries. */
export class EventFaults {
  constructor(private readonly events: EventBridgeBackend) {}

  /**
   * Delivery to the rule's target is refused as a permissions error, which EventBridge does not
   * retry: the event goes straight to the target's dead-letter queue (or is dropped without one).
   */
  denyDelivery(record: FaultRecord, match: DenyDeliveryMatch): () => void {
    return this.events.addDeliveryFault((rule, target, event) => {
      if (!record.active || !matchesName(match.ruleName, rule.name)) return undefined;
      if (match.targetId !== undefined && match.targetId !== target.Id) return undefined;
      if (match.detailType !== undefined && match.detailType !== event['detail-type']) return undefined;
      if (!record.trigger.fire()) return undefined;
      return new TargetDeliveryError(
        'NO_PERMISSIONS',
        `Delivery to ${target.Arn} denied by injected fault ${record.id}`,
        false,
      );
    });
  }

  /** Matching entries of a PutEvents call are answered with an ErrorCode; the rest go through. */
  failPutEvents(record: FaultRecord, match: PutEventsFailureMatch): () => void {
    return this.events.addPutEventsFault((entry) => {
      if (!record.active) return undefined;
      if (match.detailType !== undefined && match.detailType !== entry.DetailType) return undefined;
      if (match.source !== undefined && match.source !== entry.Source) return undefined;
      if (match.where && !match.where(entry)) return undefined;
      if (!record.trigger.fire()) return undefined;
      const errorCode = match.errorCode ?? 'InternalFailure';
      return { ErrorCode: errorCode, ErrorMessage: `${errorCode} injected by fault ${record.id}` };
    });
  }
}
