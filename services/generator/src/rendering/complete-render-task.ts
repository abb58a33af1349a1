import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { PredictionState } from './render-state';

/** Whether the waiting task took the result, or had already been closed (completed, timed out, ended). */
export type TaskCompletion = 'completed' | 'closed';

/**
 * Completes RenderScene's AwaitPrediction task with where the prediction stands. A prediction that
 * failed (or was canceled) without attempts left fails the task with PredictionFailed and its reason,
 * which fails the execution as the PredictionFailed state did. Anything else is the task's result
 * ($.prediction). A token already used (the webhook and the check both saw the end) or of a task that
 * timed out and waits again under a new token is `closed`: the other path completes it.
 */
export async function completeRenderTask(
  sfn: Pick<SFNClient, 'send'>,
  taskToken: string,
  state: PredictionState,
): Promise<TaskCompletion> {
  try {
    if (state.status === 'failed' || state.status === 'canceled')
      await sfn.send(
        new SendTaskFailureCommand({
          taskToken,
          error: 'PredictionFailed',
          cause: state.error ?? `prediction ${state.status}`,
        }),
      );
    else await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(state) }));
    return 'completed';
  } catch (error) {
    if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist) return 'closed';
    throw error;
  }
}

/** States after which the workflow moves on: the waiting task is completed with them. */
export const ENDS_THE_WAIT: ReadonlySet<PredictionState['status']> = new Set([
  'succeeded',
  'failed',
  'canceled',
  'stored',
  'retry',
]);
