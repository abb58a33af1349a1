import {
  checkModelInput,
  findModelContract,
  type PredictionUsage,
  PriceUnknownError,
  predictionCostUsd,
} from '@reelay/replicate-models';
import { z } from 'zod';

/**
 * What a prediction costs, USD, by its model's real billing unit (@reelay/replicate-models records
 * each price with its source and date): Wan per second of output video at its resolution (frames at
 * 16 fps), Kling per second of output, flux per image, the planning LLM per input and output token
 * (the prediction's metrics), kokoro and musicgen per second of hardware time (metrics.predict_time).
 * Against the local model server the same prices are charged: a local job records what it would
 * cost on Replicate (an estimate; SceneReady.provider says `local`).
 *
 * Models without a recorded contract are priced from MODEL_PRICES (JSON,
 * `{ "owner/name": { "perSecond": n } | { "perOutput": n } }`), else by hardware time at an
 * L40S-class rate.
 */
export const modelPriceSchema = z.union([
  z.strictObject({ perSecond: z.number().min(0) }),
  z.strictObject({ perOutput: z.number().min(0) }),
]);
export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type PriceTable = Record<string, ModelPrice>;

/** Hardware time of an unknown model is charged at this rate (an L40S-class GPU). */
const FALLBACK_PER_SECOND = 0.000975;

export function priceTableFromEnv(env: Record<string, string | undefined> = process.env): PriceTable {
  const raw = env.MODEL_PRICES?.trim();
  if (!raw) return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('MODEL_PRICES must be JSON: { "owner/name": { "perSecond": n } | { "perOutput": n } }');
  }
  return z.record(z.string(), modelPriceSchema).parse(json);
}

let envTable: PriceTable | undefined;
/** The configured table, read once (per cold start). */
function configuredPrices(): PriceTable {
  envTable ??= priceTableFromEnv();
  return envTable;
}

/** What Replicate reports of a prediction that its price depends on. */
export interface BilledPrediction {
  /** The input it ran with (Replicate returns it until the prediction's data is removed). */
  input?: Record<string, unknown> | null | undefined;
  output?: unknown;
  metrics?:
    | {
        predict_time?: number | undefined;
        input_token_count?: number | undefined;
        output_token_count?: number | undefined;
      }
    | null
    | undefined;
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

/**
 * Cost of one prediction of `model` (owner/name, pinned or not). `input` is what was sent, for when
 * Replicate no longer returns it.
 */
export function predictionCost(
  model: string,
  prediction: BilledPrediction,
  sentInput?: Record<string, unknown>,
  table: PriceTable = configuredPrices(),
): number {
  const id = model.split(':')[0] ?? model;
  const predictTimeSec = prediction.metrics?.predict_time;
  const configured = table[id];
  if (configured)
    return round(
      'perOutput' in configured
        ? configured.perOutput
        : configured.perSecond * Math.max(0, predictTimeSec ?? 0),
    );
  const contract = findModelContract(id);
  const fallback = () => round(FALLBACK_PER_SECOND * Math.max(0, predictTimeSec ?? 0));
  if (!contract) return fallback();
  const raw = prediction.input ?? sentInput ?? {};
  // The defaults the model filled in count too (Wan's num_frames, flux's num_outputs).
  const checked = checkModelInput(contract, raw);
  const usage: PredictionUsage = {
    input: checked.ok ? checked.input : raw,
    ...(Array.isArray(prediction.output) && contract.price.unit === 'output-image'
      ? { images: prediction.output.length }
      : {}),
    ...(predictTimeSec !== undefined ? { predictTimeSec } : {}),
    ...(prediction.metrics?.input_token_count !== undefined
      ? { inputTokens: prediction.metrics.input_token_count }
      : {}),
    ...(prediction.metrics?.output_token_count !== undefined
      ? { outputTokens: prediction.metrics.output_token_count }
      : {}),
  };
  try {
    return round(predictionCostUsd(contract, usage));
  } catch (error) {
    if (error instanceof PriceUnknownError) return fallback();
    throw error;
  }
}
