import { stepFunctionsTask } from '@reelay/lambda';
import { z } from 'zod';
import { powertools } from '../../powertools';
import { awaitPrediction } from '../../rendering/check-prediction';
import { networkErrorsAreTransient } from '../../rendering/network-errors';
import { renderStateSchema } from '../../rendering/render-state';
import { renderTaskDeps } from '../../rendering/task-deps';

const deps = renderTaskDeps();

/** AwaitPrediction's payload: the execution's state and the task's token ($$.Task.Token). */
const awaitInputSchema = z.object({ state: renderStateSchema, taskToken: z.string().min(1) });

/**
 * RenderScene's AwaitPrediction task (lambda:invoke.waitForTaskToken): records the task token for the
 * webhook and checks the prediction once (the reconciler for lost webhooks); an ended prediction
 * completes the task here. Its return value is only logged: the task's result is what completes it.
 */
export const handler = stepFunctionsTask(
  powertools,
  networkErrorsAreTransient(async (input: unknown) => awaitPrediction(awaitInputSchema.parse(input), deps)),
);
