/**
 * Fault injection: tests add faults, and the server consumes them as matching requests and
 * predictions arrive. Each fault fires `times` times (default 1, Infinity for always).
 */
export interface FaultMatch {
  /** "owner/name" of the model. */
  model?: string;
  /** A substring of the prediction's prompt (or text, for speech). */
  promptIncludes?: string;
}

interface FaultBase {
  times?: number;
  match?: FaultMatch;
}

export type ModelFault = FaultBase &
  (
    | {
        kind: 'rate-limit';
        /** The wait, in seconds (default 2): in the body's "resets in ~Ns" and, unless bodyOnly, in Retry-After. */
        retryAfterSec?: number;
        /** Replicate may answer 429 with the wait only in the body ("Your rate limit resets in ~30s"). */
        bodyOnly?: boolean;
      }
    | {
        kind: 'server-error' /** default 503 */;
        status?: number /** default 'create' */;
        on?: 'create' | 'get';
      }
    | { kind: 'fail-prediction'; error?: string }
    /** The prediction ends `aborted` (Replicate: stopped before or while running, not by the model). */
    | { kind: 'abort-prediction'; error?: string }
    | { kind: 'slow'; delayMs: number }
    | { kind: 'drop-webhook' }
    | { kind: 'forge-webhook' }
    | { kind: 'stale-webhook' /** how old the timestamp is (default 600 s) */; ageSec?: number }
    | { kind: 'duplicate-webhook' }
    | { kind: 'expire-output' }
    /** The prediction's data is removed as soon as it completes, as if its hour had passed (data_removed). */
    | { kind: 'remove-data' }
    | {
        kind: 'foreign-host-output' /** origin to put in the output URL (default http://127.0.0.2:<port>) */;
        origin?: string;
      }
  );

export type FaultKind = ModelFault['kind'];
export type FaultOf<K extends FaultKind> = Extract<ModelFault, { kind: K }>;

export interface ArmedFault {
  fault: ModelFault;
  remaining: number;
}

export interface FaultSubject {
  model: string;
  text: string;
}

export interface ModelFaults {
  add(fault: ModelFault): void;
  clear(): void;
  /** Faults not yet used up, with how many times each will still fire. */
  pending(): ArmedFault[];
}

/** The server's side of ModelFaults: consuming. */
export interface FaultBook extends ModelFaults {
  /** Takes one use of the first armed fault of this kind that matches, if any. */
  take<K extends FaultKind>(
    kind: K,
    subject: FaultSubject,
    where?: (fault: FaultOf<K>) => boolean,
  ): FaultOf<K> | undefined;
}

function matches(match: FaultMatch | undefined, subject: FaultSubject): boolean {
  if (!match) return true;
  if (match.model !== undefined && match.model !== subject.model) return false;
  if (match.promptIncludes !== undefined && !subject.text.includes(match.promptIncludes)) return false;
  return true;
}

export class InvalidFaultError extends Error {
  readonly retryable = false;
  constructor(reason: string) {
    super(`invalid fault: ${reason}`);
    this.name = 'InvalidFaultError';
  }
}

export function createFaultBook(): FaultBook {
  let armed: ArmedFault[] = [];
  return {
    add(fault) {
      const times = fault.times ?? 1;
      if (!(times > 0)) throw new InvalidFaultError(`times must be positive, got ${times}`);
      if (fault.kind === 'slow' && !(fault.delayMs >= 0))
        throw new InvalidFaultError('slow needs delayMs >= 0');
      armed.push({ fault, remaining: times });
    },
    clear() {
      armed = [];
    },
    pending() {
      return armed.map((entry) => ({ ...entry }));
    },
    take(kind, subject, where) {
      const entry = armed.find(
        (candidate) =>
          candidate.fault.kind === kind &&
          matches(candidate.fault.match, subject) &&
          (where === undefined || where(candidate.fault as FaultOf<typeof kind>)),
      );
      if (!entry) return undefined;
      entry.remaining -= 1;
      if (entry.remaining <= 0) armed = armed.filter((candidate) => candidate !== entry);
      return entry.fault as FaultOf<typeof kind>;
    },
  };
}
