import { tmpdir } from 'node:os';
import type { StaticFfmpeg } from '../../../packaging/src';
import type { ModelSecrets } from './model-secrets';

export interface FunctionEnvInputs {
  /** The operator's client environment (endpoints, region); each function's own keys replace the operator's. */
  clientEnv: Record<string, string>;
  debianFfmpeg: { ffmpeg: string; ffprobe: string };
  shippedFfmpeg: Pick<StaticFfmpeg, 'ffmpeg' | 'ffprobe' | 'font'> | undefined;
  /** The Replicate twin the functions call when no real REPLICATE_API_TOKEN is set. */
  modelTwin: { url: string; apiToken: string; webhookSecret: string };
  /** The local HTTP API's URL, where the twin's webhooks come locally. */
  apiUrl: string;
  /** Extra environment for every function (tests use it to tune timings); it wins. */
  functionEnv: Record<string, string> | undefined;
  /** The functions' TMPDIR (Lambda's /tmp): the data folder's tmp/, not the system temp dir. */
  tmpDir?: string;
}

/** The environment every local function starts from, before its template's own variables and its keys. */
export function functionBaseEnv(inputs: FunctionEnvInputs): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    TMPDIR: inputs.tmpDir ?? tmpdir(),
    TZ: 'UTC',
    ...inputs.clientEnv,
    ...ffmpegEnv(inputs),
    REELAY_LOCAL: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: process.env.LOG_LEVEL ?? 'INFO',
    ...modelProviderEnv(inputs),
    ...(inputs.functionEnv ?? {}),
  };
}

/**
 * The functions run the static ffmpeg/ffprobe/font that ship in their zips when that build is
 * cached for this machine (deploy/static-ffmpeg; npm test builds it), so every test exercises
 * what ships; else Debian's. An explicit FFMPEG_PATH wins. The model server keeps Debian's.
 */
function ffmpegEnv({ shippedFfmpeg, debianFfmpeg }: FunctionEnvInputs): Record<string, string> {
  if (!shippedFfmpeg) return { FFMPEG_PATH: debianFfmpeg.ffmpeg, FFPROBE_PATH: debianFfmpeg.ffprobe };
  return {
    FFMPEG_PATH: shippedFfmpeg.ffmpeg,
    FFPROBE_PATH: shippedFfmpeg.ffprobe,
    CAPTION_FONT_FILE: shippedFfmpeg.font,
  };
}

/**
 * Which Replicate the functions call: the real one when the user has a token, else the twin. The
 * token and the webhook secret are not here: they are SecureStrings in the local Parameter Store,
 * read the way the functions read them on AWS (embedded/model-secrets.ts).
 */
function modelProviderEnv({ modelTwin, apiUrl }: FunctionEnvInputs): Record<string, string> {
  if (process.env.REPLICATE_API_TOKEN) {
    // A proxy or a recorded twin in front of Replicate, when the user names one.
    return process.env.REPLICATE_BASE_URL ? { REPLICATE_BASE_URL: process.env.REPLICATE_BASE_URL } : {};
  }
  return {
    REPLICATE_BASE_URL: `${modelTwin.url}/v1`,
    // The twin serves Replicate's model ids: costs are what Replicate would charge, an estimate.
    MODEL_PROVIDER: 'local',
    MODEL_OUTPUT_ALLOWED_ORIGINS: modelTwin.url,
    // The template's WEBHOOK_BASE_URL names the cloud API; locally webhooks come here.
    LOCAL_WEBHOOK_BASE_URL: apiUrl,
  };
}

/** The secrets to store for the functions: the user's real token, or the twin's token and webhook secret. */
export function modelSecretsFor(
  modelTwin: Pick<FunctionEnvInputs['modelTwin'], 'apiToken' | 'webhookSecret'>,
): Partial<ModelSecrets> {
  const realToken = process.env.REPLICATE_API_TOKEN;
  if (realToken) return { apiToken: realToken };
  return { apiToken: modelTwin.apiToken, webhookSecret: modelTwin.webhookSecret };
}
