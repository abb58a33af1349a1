import {
  type Destination,
  type EventPublisher,
  newMeta,
  publishFailed,
  type SeriesRef,
  videoPublished,
} from '@reelay/events';
import { DestinationAuthError, PublishError, type PublishFailureReason } from './publish-errors';
import { fitYouTubeMetadata, type YouTubeMetadata } from './youtube-metadata';
import { type UploadCheckpointStore, uploadToYouTube } from './youtube-resumable-upload';

type YouTubeDestination = Extract<Destination, { type: 'youtube' }>;

export interface PublishToYouTubeInput {
  jobId: string;
  userId: string;
  series?: SeriesRef;
  destination: YouTubeDestination;
  /** Title, description and tags from the job's plan; fitted to YouTube's limits here. */
  metadata: YouTubeMetadata;
  video: { bytes: number; read(start: number, endExclusive: number): Promise<Buffer> };
}

export interface PublishToYouTubeDeps {
  publisher: Pick<EventPublisher, 'publish'>;
  /** The user's stored connection (connections/connection-store readYouTubeConnection), or undefined. */
  readConnection(
    userId: string,
    name: string,
  ): Promise<{ clientId: string; clientSecret: string; refreshToken: string } | undefined>;
  checkpoints: UploadCheckpointStore;
  endpoints?: { apiUrl: string; tokenUrl: string };
  chunkBytes?: number;
  retry?: { attempts: number; baseDelayMs: number; sleep?: (ms: number) => Promise<void> };
  now?: () => Date;
}

/**
 * Publishes one job's video to one YouTube destination and says how it went: VideoPublished, or
 * PublishFailed with its reason for a permanent failure (quota, rejection, credentials). A transient
 * failure that outlasts the retries is thrown (DestinationUnavailableError, retryable): the message is
 * redelivered and the upload resumes from its checkpoint; once SQS gives up it dead-letters.
 */
/** What was published: the video, or the PublishFailed reason (the caller stops a spent connection for the day). */
export type PublishOutcome =
  | { published: true; videoId: string }
  | { published: false; reason: PublishFailureReason };

export async function publishToYouTube(
  input: PublishToYouTubeInput,
  deps: PublishToYouTubeDeps,
): Promise<PublishOutcome> {
  const meta = newMeta(input.userId, deps.now?.() ?? new Date());
  const common = {
    jobId: input.jobId,
    userId: input.userId,
    meta,
    destination: input.destination,
    ...(input.series ? { series: input.series } : {}),
  };
  try {
    const credentials = await deps.readConnection(input.userId, input.destination.connection);
    if (!credentials) {
      throw new DestinationAuthError(
        `the YouTube connection '${input.destination.connection}' no longer exists`,
      );
    }
    const result = await uploadToYouTube({
      credentials,
      metadata: { ...fitYouTubeMetadata(input.metadata), privacyStatus: input.destination.privacyStatus },
      video: input.video,
      checkpoints: deps.checkpoints,
      ...(deps.endpoints ? { endpoints: deps.endpoints } : {}),
      ...(deps.chunkBytes ? { chunkBytes: deps.chunkBytes } : {}),
      ...(deps.retry ? { retry: deps.retry } : {}),
    });
    await deps.publisher.publish(videoPublished, {
      version: 1,
      ...common,
      url: result.url,
      videoId: result.videoId,
    });
    return { published: true, videoId: result.videoId };
  } catch (error) {
    if (!(error instanceof PublishError) || error.retryable) throw error;
    await deps.publisher.publish(publishFailed, {
      version: 1,
      ...common,
      reason: error.reason,
      message: error.message.slice(0, 2000) || error.name,
    });
    return { published: false, reason: error.reason };
  }
}
