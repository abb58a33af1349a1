import { EventPublisher, SOURCES } from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, readConfig, s3Client } from '@reelay/lambda';
import { z } from 'zod';
import { modelCatalog } from '../models/model-catalog';
import { firstFrameUrlMaker } from '../rendering/first-frame-url';
import { createReplicate } from '../rendering/replicate-client';
import { replicateToken } from '../rendering/replicate-token';
import { wordsFromModel } from './model-planner';
import type { PlanJobDeps } from './plan-job';
import { DynamoPlanStore } from './plan-store';
import { describeStyle } from './style-references';
import { readUploadFacts } from './upload-facts';

/** The plan function's dependencies, built once per cold start. */
export function planDeps(onModelFallback: PlanJobDeps['onModelFallback']): PlanJobDeps {
  const config = readConfig({
    EVENT_BUS_NAME: z.string().min(1),
    GENERATOR_TABLE: z.string().min(1),
    MEDIA_BUCKET: z.string().min(1),
    /** `deterministic` plans without the planning model. */
    PLANNER: z.enum(['model', 'deterministic']).default('model'),
    PLANNER_TIMEOUT_MS: z.coerce.number().int().min(1000).max(50_000).default(40_000),
    REPLICATE_API_TOKEN: z.string().min(1).optional(),
    REPLICATE_API_TOKEN_PARAMETER: z.string().min(1).optional(),
    REPLICATE_BASE_URL: z.url().optional(),
    /** How style references reach the vision model (first-frame-url.ts, as chained frames do). */
    FIRST_FRAME_DELIVERY: z
      .enum(['replicate-file', 'presigned-url'])
      .default(process.env.REELAY_LOCAL === 'true' ? 'replicate-file' : 'presigned-url'),
  });
  const catalog = modelCatalog();
  const s3 = s3Client();
  // With neither a token nor its SSM name there is no model to ask: the deterministic plan is used.
  const hasToken = Boolean(config.REPLICATE_API_TOKEN || config.REPLICATE_API_TOKEN_PARAMETER);
  const replicate = hasToken ? createReplicate(replicateToken(config), config.REPLICATE_BASE_URL) : undefined;
  return {
    catalog,
    uploadFacts: (key) => readUploadFacts(s3, config.MEDIA_BUCKET, key),
    ...(replicate && config.PLANNER === 'model'
      ? {
          modelWords: (brief, outline, fallback, spent) =>
            wordsFromModel(
              brief,
              outline,
              fallback,
              { replicate, model: catalog.planner, timeoutMs: config.PLANNER_TIMEOUT_MS },
              spent,
            ),
        }
      : {}),
    ...(replicate
      ? {
          describeStyle: (keys, spent) =>
            describeStyle(
              keys,
              {
                replicate,
                model: catalog.vision,
                referenceUrl: firstFrameUrlMaker(config.FIRST_FRAME_DELIVERY, {
                  replicate,
                  s3,
                  bucket: config.MEDIA_BUCKET,
                }),
              },
              spent,
            ),
        }
      : {}),
    plans: new DynamoPlanStore(dynamoDocumentClient(), config.GENERATOR_TABLE),
    publisher: new EventPublisher({
      client: eventBridgeClient(),
      busName: config.EVENT_BUS_NAME,
      source: SOURCES.generator,
    }),
    onModelFallback,
  };
}
