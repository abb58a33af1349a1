import { join } from 'node:path';
import { type LocalYouTube, startLocalYouTube } from '../../../youtube/src';
import type { Closers } from './closers';

/**
 * Starts the YouTube Data API twin (local/youtube), keeping uploaded videos in the data folder's
 * youtube/ across restarts. Functions find it through YOUTUBE_API_URL and YOUTUBE_OAUTH_TOKEN_URL.
 */
export async function startYouTubeTwin(closers: Closers, dataRoot: string): Promise<LocalYouTube> {
  const youtube = await startLocalYouTube({ workDir: join(dataRoot, 'youtube') });
  closers.add(() => youtube.close());
  return youtube;
}

/** The environment that points a function's YouTube client at the twin (Google's endpoints on AWS). */
export function youtubeEnv(youtube: Pick<LocalYouTube, 'url' | 'tokenUrl'>): Record<string, string> {
  return { YOUTUBE_API_URL: youtube.url, YOUTUBE_OAUTH_TOKEN_URL: youtube.tokenUrl };
}
