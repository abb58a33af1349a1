import { createPrediction } from '../../rendering/create-prediction';
import { renderStateSchema } from '../../rendering/render-state';
import { renderTaskDeps } from '../../rendering/task-deps';

const deps = renderTaskDeps();

/** RenderScene task: claim the scene attempt and create its prediction. */
export const handler = async (input: unknown) => createPrediction(renderStateSchema.parse(input), deps);
