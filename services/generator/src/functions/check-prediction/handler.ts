import { stepFunctionsTask } from '@reelay/lambda';
import { powertools } from '../../powertools';
import { checkPrediction } from '../../rendering/check-prediction';
import { networkErrorsAreTransient } from '../../rendering/network-errors';
import { renderStateSchema } from '../../rendering/render-state';
import { renderTaskDeps } from '../../rendering/task-deps';

const deps = renderTaskDeps();

/** RenderScene task: poll the prediction (the reconciler for lost webhooks). */
export const handler = stepFunctionsTask(
  powertools,
  networkErrorsAreTransient(async (input: unknown) => checkPrediction(renderStateSchema.parse(input), deps)),
);
