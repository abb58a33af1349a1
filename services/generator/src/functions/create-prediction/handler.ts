import { stepFunctionsTask } from '@reelay/lambda';
import { powertools } from '../../powertools';
import { createPrediction } from '../../rendering/create-prediction';
import { networkErrorsAreTransient } from '../../rendering/network-errors';
import { renderStateSchema } from '../../rendering/render-state';
import { renderTaskDeps } from '../../rendering/task-deps';

const deps = renderTaskDeps();

/** RenderScene task: claim the scene attempt and create its prediction. */
export const handler = stepFunctionsTask(
  powertools,
  networkErrorsAreTransient(async (input: unknown) => createPrediction(renderStateSchema.parse(input), deps)),
);
