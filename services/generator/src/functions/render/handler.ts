import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { consumeEvents, scenePlanned } from '@reelay/events';
import { readConfig, sfnClient } from '@reelay/lambda';
import { z } from 'zod';
import { logger } from '../../powertools';
import { executionName } from '../../rendering/render-state';

const config = readConfig({ RENDER_SCENE_STATE_MACHINE_ARN: z.string().min(1) });
const sfn = sfnClient();

/**
 * ScenePlanned -> one RenderScene execution named <jobId>-<sceneIndex>-<attempt>. Step Functions
 * starts one execution per name, so a redelivered ScenePlanned never renders twice.
 */
export const handler = consumeEvents(
  [scenePlanned],
  async ({ detail }) => {
    const name = executionName(detail);
    try {
      await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: config.RENDER_SCENE_STATE_MACHINE_ARN,
          name,
          input: JSON.stringify({ scene: detail, attempt: detail.attempt }),
        }),
      );
    } catch (error) {
      // Same name, different input (a re-planned duplicate): the scene is already rendering.
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
    logger.info('scene rendering', {
      jobId: detail.jobId,
      correlationId: detail.meta.correlationId,
      execution: name,
    });
  },
  {
    onRecordError: (error, record) =>
      logger.error('render start failed', { error, messageId: record.messageId }),
  },
);
