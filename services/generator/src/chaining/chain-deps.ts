import { dynamoDocumentClient, readConfig, s3Client, sfnClient } from '@reelay/lambda';
import { z } from 'zod';
import { DynamoChainLinks } from './chain-links';
import type { ChainDeps } from './chain-scenes';
import { S3LastFrames } from './last-frames';
import { StepFunctionsRenderStart } from './render-start';

/** What starting (and chaining) renders needs, built once per cold start. */
export function chainDeps(): ChainDeps & { bucket: string } {
  const config = readConfig({
    RENDER_SCENE_STATE_MACHINE_ARN: z.string().min(1),
    GENERATOR_TABLE: z.string().min(1),
    MEDIA_BUCKET: z.string().min(1),
  });
  return {
    links: new DynamoChainLinks(dynamoDocumentClient(), config.GENERATOR_TABLE),
    frames: new S3LastFrames(s3Client(), config.MEDIA_BUCKET),
    renders: new StepFunctionsRenderStart(sfnClient(), config.RENDER_SCENE_STATE_MACHINE_ARN),
    bucket: config.MEDIA_BUCKET,
  };
}
