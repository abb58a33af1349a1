import { FaultTrigger, type FaultTriggerOptions } from './fault-trigger';

export type FaultKind =
  | 'duplicate'
  | 'delay'
  | 'reorder'
  | 'hold'
  | 'deny-delivery'
  | 'fail-put-events'
  | 'crash'
  | 'timeout'
  | 'replicate';

/** One armed fault: what it targets, and how often it fired. */
export class FaultRecord {
  readonly trigger: FaultTrigger;
  removed = false;
  /** Injections counted by the fault itself when it is not a simple trigger (model faults). */
  extraInjected = 0;
  /** Further counts worth reporting (e.g. how many held messages were released out of order). */
  readonly details: Record<string, number> = {};

  constructor(
    readonly id: string,
    readonly kind: FaultKind,
    readonly target: string,
    trigger: FaultTriggerOptions,
  ) {
    this.trigger = new FaultTrigger(trigger);
  }

  get active(): boolean {
    return !this.removed && !this.trigger.exhausted;
  }

  get injected(): number {
    return this.trigger.fired + this.extraInjected;
  }
}

/** What a fault returns to the test: its id, its count, and a way to disarm it. */
export interface FaultHandle {
  id: string;
  injected(): number;
  remove(): void;
}

export function handleOf(record: FaultRecord, onRemove: () => void = () => undefined): FaultHandle {
  return {
    id: record.id,
    injected: () => record.injected,
    remove: () => {
      record.removed = true;
      onRemove();
    },
  };
}

/** A name given as an exact string or a pattern. */
export type NameMatch = string | RegExp;

export function matchesName(match: NameMatch | undefined, name: string): boolean {
  if (match === undefined) return true;
  return typeof match === 'string' ? match === name : match.test(name);
}

export function describeName(match: NameMatch | undefined): string {
  if (match === undefined) return '*';
  return typeof match === 'string' ? match : String(match);
}
