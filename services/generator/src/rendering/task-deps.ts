import { EventPublisher, SOURCES } from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, readConfig, s3Client } from '@reelay/lambda';
import { z } from 'zod';
import { modelSetFromEnv, modelSettings } from '../config';
import { PredictionClaims } from './prediction-claims';
import { createReplicate } from './replicate-client';

/** The RenderScene tasks' dependencies, built once per cold start. */
export function renderTaskDeps() {
  const settings = modelSettings();
  const config = readConfig({
    GENERATOR_TABLE: z.string().min(1),
    MEDIA_BUCKET: z.string().min(1),
    EVENT_BUS_NAME: z.string().min(1),
  });
  const list = (s: string) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  return {
    replicate: createReplicate(settings.REPLICATE_API_TOKEN, settings.REPLICATE_BASE_URL),
    claims: new PredictionClaims(dynamoDocumentClient(), config.GENERATOR_TABLE),
    pollIntervalSec: settings.POLL_INTERVAL_SEC,
    s3: s3Client(),
    bucket: config.MEDIA_BUCKET,
    publisher: new EventPublisher({
      client: eventBridgeClient(),
      busName: config.EVENT_BUS_NAME,
      source: SOURCES.generator,
    }),
    policy: {
      allowedHosts: list(settings.MODEL_OUTPUT_ALLOWED_HOSTS),
      allowedOrigins: list(settings.MODEL_OUTPUT_ALLOWED_ORIGINS),
      maxBytes: settings.MODEL_OUTPUT_MAX_BYTES,
    },
    provider: modelSetFromEnv() === 'local' ? ('local' as const) : ('replicate' as const),
  };
}
