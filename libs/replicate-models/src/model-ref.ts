import type { ModelContract } from './contract';
import { MODEL_CONTRACTS } from './contracts';

/** A model reference as Replicate accepts it: "owner/name", "owner/name:version" or a bare version id. */
export interface ModelRef {
  /** owner/name, when the reference names one. */
  id?: string;
  version?: string;
}

const VERSION = /^[0-9a-f]{64}$/;
const OWNER_NAME = /^[a-z0-9][a-z0-9_.-]*\/[a-z0-9][a-z0-9_.-]*$/i;

/** Parses a model reference; undefined when it is none of the three forms. */
export function parseModelRef(reference: string): ModelRef | undefined {
  const value = reference.trim();
  if (VERSION.test(value)) return { version: value };
  const colon = value.indexOf(':');
  const id = colon === -1 ? value : value.slice(0, colon);
  const version = colon === -1 ? undefined : value.slice(colon + 1);
  if (!OWNER_NAME.test(id)) return undefined;
  if (version !== undefined && !VERSION.test(version)) return undefined;
  return version === undefined ? { id } : { id, version };
}

/**
 * The recorded contract a reference names, or undefined. A reference with a version matches only
 * that recorded version (another version of a known model is not a contract we hold).
 */
export function findModelContract(reference: string): ModelContract | undefined {
  const ref = parseModelRef(reference);
  if (!ref) return undefined;
  return MODEL_CONTRACTS.find(
    (contract) =>
      (ref.id === undefined || contract.id === ref.id) &&
      (ref.version === undefined || contract.version === ref.version),
  );
}

export class UnknownModelError extends Error {
  readonly retryable = false;
  constructor(readonly reference: string) {
    super(`no recorded contract for model "${reference}"`);
    this.name = 'UnknownModelError';
  }
}

/** findModelContract, throwing UnknownModelError for a model without a recorded contract. */
export function modelContract(reference: string): ModelContract {
  const contract = findModelContract(reference);
  if (!contract) throw new UnknownModelError(reference);
  return contract;
}
