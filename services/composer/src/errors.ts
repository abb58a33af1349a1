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

/**
 * The composition is leased by another composer, alive or crashed, and not published yet: the request
 * must look again until the lease ends (`leaseUntil`, epoch ms), never be dropped (dropping it would
 * strand the job if that composer died).
 */
export class CompositionLeasedElsewhereError extends ReelayError {
  readonly code = 'COMPOSITION_LEASED_ELSEWHERE';
  readonly retryable = true;
  constructor(
    message: string,
    readonly leaseUntil?: number,
  ) {
    super(message);
  }
}
