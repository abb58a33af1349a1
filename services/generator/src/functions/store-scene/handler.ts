import { stepFunctionsTask } from '@reelay/lambda';
import { powertools } from '../../powertools';
import { networkErrorsAreTransient } from '../../rendering/network-errors';
import { claimKeyOf, renderStateSchema } from '../../rendering/render-state';
import { storeScene } from '../../rendering/store-scene';
import { renderTaskDeps } from '../../rendering/task-deps';

const deps = renderTaskDeps();

/** RenderScene task: copy the output to S3 and publish SceneReady (or find the webhook did). */
export const handler = stepFunctionsTask(
  powertools,
  networkErrorsAreTransient(async (input: unknown) => {
    const state = renderStateSchema.parse(input);
    const predictionId = state.prediction?.predictionId;
    if (!predictionId) throw new Error('storeScene called before a prediction exists');
    return storeScene(claimKeyOf(state), predictionId, deps);
  }),
);
