import { renderStateSchema } from '../../rendering/render-state';
import { storeScene } from '../../rendering/store-scene';
import { renderTaskDeps } from '../../rendering/task-deps';

const deps = renderTaskDeps();

/** RenderScene task: copy the output to S3 and publish SceneReady. */
export const handler = async (input: unknown) => storeScene(renderStateSchema.parse(input), deps);
