import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ScenePlanned } from '@reelay/events';
import { executionName } from '../rendering/render-state';

/**
 * The RenderScene execution input: `{ scene, attempt, firstFrameKey? }` (firstFrameKey only for
 * chained scenes: the S3 key of the previous scene's last frame).
 */
export interface RenderStart {
  start(scene: ScenePlanned, firstFrameKey?: string): Promise<{ name: string; started: boolean }>;
}

/**
 * Starts one execution named <jobId>-<sceneIndex>-<attempt>. Step Functions starts one execution
 * per name: a second start (redelivery, or both chain paths) is ExecutionAlreadyExists, which means
 * the scene is already rendering.
 */
export class StepFunctionsRenderStart implements RenderStart {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(scene: ScenePlanned, firstFrameKey?: string) {
    const name = executionName(scene);
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify({
            scene,
            attempt: scene.attempt,
            ...(firstFrameKey ? { firstFrameKey } : {}),
          }),
        }),
      );
      return { name, started: true };
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
      return { name, started: false };
    }
  }
}
