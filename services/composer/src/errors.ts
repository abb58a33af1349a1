import { ReelayError } from '@reelay/events';

/** A SceneReady says a different sceneCount than the job's earlier scenes: a poison message. */
export class SceneCountMismatchError extends ReelayError {
  readonly code = 'SCENE_COUNT_MISMATCH';
  readonly retryable = false;
}
export class CompositionIncompleteError extends ReelayError {
  readonly code = 'COMPOSITION_INCOMPLETE';
  readonly retryable = false;
}
