import { EventPublisher, SOURCES } from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, readConfig, s3Client, sfnClient } from '@reelay/lambda';
import { z } from 'zod';
import { JobCancellations } from '../cancellation/job-cancellations';
import { modelSettings } from '../config';
import { metrics } from '../powertools';
import { firstFrameUrlMaker } from './first-frame-url';
import { PredictionClaims } from './prediction-claims';
import { createReplicate } from './replicate-client';
import { replicateToken } from './replicate-token';
import { recordSceneLatency } from './scene-latency';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The RenderScene tasks' (and the webhook's) dependencies, built once per cold start. */
export function renderTaskDeps() {
  const settings = modelSettings();
  const config = readConfig({
    GENERATOR_TABLE: z.string().min(1),
    MEDIA_BUCKET: z.string().min(1),
    EVENT_BUS_NAME: z.string().min(1),
    /** The generator's HTTP API in the cloud (webhooks go to <it>/webhooks/replicate). */
    WEBHOOK_BASE_URL: z.url().optional(),
    /** Locally the template cannot know the local HTTP API's port: the embedded cloud sets this. */
    LOCAL_WEBHOOK_BASE_URL: z.url().optional(),
    RENDER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(5).default(2),
    CREATE_WINDOW_SEC: z.coerce.number().int().min(1).default(90),
    STORE_LEASE_SEC: z.coerce.number().int().min(1).default(180),
    /**
     * How long RenderScene's AwaitPrediction leaves a running prediction to its webhook before it
     * checks it (then again after as long): the check only makes up for lost webhooks. Locally the
     * twin's predictions end in seconds, so a lost webhook is made up for sooner.
     */
    WEBHOOK_WAIT_SEC: z.coerce
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(process.env.REELAY_LOCAL === 'true' ? 10 : 300),
    /** How chained scenes' first frames reach the model (first-frame-url.ts). */
    FIRST_FRAME_DELIVERY: z
      .enum(['replicate-file', 'presigned-url'])
      .default(process.env.REELAY_LOCAL === 'true' ? 'replicate-file' : 'presigned-url'),
  });
  const doc = dynamoDocumentClient();
  const s3 = s3Client();
  const replicate = createReplicate(replicateToken(settings), settings.REPLICATE_BASE_URL);
  // Locally only the embedded cloud's API can receive webhooks (none with real models: polling).
  const webhookBaseUrl =
    process.env.REELAY_LOCAL === 'true' ? config.LOCAL_WEBHOOK_BASE_URL : config.WEBHOOK_BASE_URL;
  return {
    replicate,
    claims: new PredictionClaims(doc, config.GENERATOR_TABLE),
    cancellations: new JobCancellations(doc, config.GENERATOR_TABLE),
    pollIntervalSec: settings.POLL_INTERVAL_SEC,
    maxPollIntervalSec: settings.POLL_MAX_INTERVAL_SEC,
    webhookBaseUrl,
    webhookWaitSec: webhookBaseUrl ? config.WEBHOOK_WAIT_SEC : undefined,
    /** Completes RenderScene's AwaitPrediction task (its task token is on the claim). */
    sfn: sfnClient(),
    createWindowSec: config.CREATE_WINDOW_SEC,
    maxAttempts: config.RENDER_MAX_ATTEMPTS,
    storeLeaseSec: config.STORE_LEASE_SEC,
    sceneLatency: (plannedAt: string, readyAt: Date) => recordSceneLatency(metrics, plannedAt, readyAt),
    firstFrameUrl: firstFrameUrlMaker(config.FIRST_FRAME_DELIVERY, {
      replicate,
      s3,
      bucket: config.MEDIA_BUCKET,
    }),
    s3,
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
    provider: settings.MODEL_PROVIDER,
  };
}
export type RenderTaskDeps = ReturnType<typeof renderTaskDeps>;
