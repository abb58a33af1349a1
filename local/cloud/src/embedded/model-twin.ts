import { randomBytes } from 'node:crypto';
import { type LocalModelServer, startLocalModelServer } from '../../../models/src';
import type { Closers } from './closers';

export interface ModelTwin {
  models: LocalModelServer;
  /** The API token the functions call the twin with. */
  apiToken: string;
  /** The secret the twin signs its webhooks with and the generator checks them with. */
  webhookSecret: string;
}

/**
 * Starts the Replicate twin (local/models) with a fresh token and webhook secret, working in the data
 * folder's models/ (it keeps its predictions and outputs there across restarts, as Replicate would).
 */
export async function startModelTwin(
  ffmpeg: { ffmpeg: string; ffprobe: string },
  closers: Closers,
  workDir: string,
): Promise<ModelTwin> {
  const apiToken = `r8_local_${randomBytes(12).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const models = await startLocalModelServer({
    apiToken,
    webhookSigningSecret: webhookSecret,
    workDir,
    ffmpegPath: ffmpeg.ffmpeg,
    ffprobePath: ffmpeg.ffprobe,
  });
  closers.add(() => models.close());
  return { models, apiToken, webhookSecret };
}
