import { EventPublisher, SOURCES } from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, s3Client } from '@reelay/lambda';
import type { z } from 'zod';
import { admissionConfig, apiTableConfig, busConfig, mediaConfig, quotaConfig } from '../config';
import { uploadResolver } from '../uploads/resolve-uploads';
import type { SeriesRunDeps } from './series-run';

/** What a function that starts episodes reads from its environment (the series API and the series run). */
export const seriesRunConfig = {
  ...busConfig,
  ...apiTableConfig,
  ...mediaConfig,
  ...quotaConfig,
  ...admissionConfig,
};

type SeriesRunConfig = z.infer<z.ZodObject<typeof seriesRunConfig>>;

/**
 * The clients and settings an episode starts with: it is an ordinary job (the api's table, quota,
 * admission, uploads and bus), whether the series API starts it (an append) or the series run does.
 */
export function seriesRunDeps(config: SeriesRunConfig): SeriesRunDeps {
  const doc = dynamoDocumentClient();
  return {
    doc,
    table: config.API_TABLE,
    publisher: new EventPublisher({
      client: eventBridgeClient(),
      busName: config.EVENT_BUS_NAME,
      source: SOURCES.api,
    }),
    quota: { unit: config.QUOTA_UNIT, perDay: config.QUOTA_PER_DAY },
    admission: { maxConcurrentJobs: config.MAX_CONCURRENT_JOBS },
    resolveUploads: uploadResolver({
      doc,
      table: config.API_TABLE,
      s3: s3Client(),
      mediaBucket: config.MEDIA_BUCKET,
    }),
  };
}
