import { findModelContract, parseModelRef } from '@reelay/replicate-models';

/**
 * How Replicate is asked to run a model. Official models run by name
 * (POST /v1/models/{owner}/{name}/predictions); every other model only by version
 * (POST /v1/predictions with `version`), so:
 * - `owner/name:<version>` (a pinned id) → `{ version }`;
 * - a community model we hold a contract for → `{ version }` of its pinned version;
 * - an official model, or a model we know nothing of → `{ model }` (by name: Replicate answers
 *   a community model by name with an error the job fails with, naming the model).
 * The `replicate` client picks the endpoint from which of the two it is given.
 */
export type PredictionTarget = { model: string } | { version: string };

export function predictionTarget(modelRef: string): PredictionTarget {
  const ref = parseModelRef(modelRef);
  if (ref?.version) return { version: ref.version };
  // A shorter pinned version than Replicate's 64 hex still goes as a version (Replicate names it
  // in its refusal), never into the models endpoint's path.
  const pinned = /^[^:]+:([0-9a-f]+)$/i.exec(modelRef.trim());
  if (pinned?.[1]) return { version: pinned[1] };
  const contract = findModelContract(modelRef);
  if (contract && !contract.official) return { version: contract.version };
  return { model: modelRef };
}
