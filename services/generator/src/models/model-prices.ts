import { z } from 'zod';

/**
 * What a prediction costs, USD. Replicate bills most models by hardware time (per second of
 * predict_time) and some per output (a video, an image). The table is configuration: MODEL_PRICES
 * (JSON, `{ "owner/name": { "perSecond": n } | { "perOutput": n } }`) extends or replaces entries.
 */
export const modelPriceSchema = z.union([
  z.strictObject({ perSecond: z.number().min(0) }),
  z.strictObject({ perOutput: z.number().min(0) }),
]);
export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type PriceTable = Record<string, ModelPrice>;

export const DEFAULT_PRICES: PriceTable = {
  'wan-video/wan-2.2-t2v-fast': { perOutput: 0.05 },
  'wan-video/wan-2.2-i2v-fast': { perOutput: 0.05 },
  'kwaivgi/kling-v2.1': { perOutput: 0.25 },
  'black-forest-labs/flux-schnell': { perOutput: 0.003 },
  'jaaari/kokoro-82m': { perSecond: 0.000225 },
  'meta/musicgen': { perSecond: 0.0014 },
  'meta/meta-llama-3-8b-instruct': { perSecond: 0.000725 },
};

/** Hardware time of an unknown model is charged at this rate (an L40S-class GPU). */
const FALLBACK_PER_SECOND = 0.000975;

export function priceTableFromEnv(env: Record<string, string | undefined> = process.env): PriceTable {
  const raw = env.MODEL_PRICES?.trim();
  if (!raw) return DEFAULT_PRICES;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('MODEL_PRICES must be JSON: { "owner/name": { "perSecond": n } | { "perOutput": n } }');
  }
  return { ...DEFAULT_PRICES, ...z.record(z.string(), modelPriceSchema).parse(json) };
}

let envTable: PriceTable | undefined;
/** The configured table, read once (per cold start). */
function configuredPrices(): PriceTable {
  envTable ??= priceTableFromEnv();
  return envTable;
}

/** Cost of one prediction: local models are free; a version suffix is priced like its model. */
export function predictionCost(
  model: string,
  predictTimeSec: number | undefined,
  table: PriceTable = configuredPrices(),
): number {
  if (model.startsWith('reelay-local/')) return 0;
  const price = table[model.split(':')[0] ?? model];
  const usd =
    price && 'perOutput' in price
      ? price.perOutput
      : (price?.perSecond ?? FALLBACK_PER_SECOND) * Math.max(0, predictTimeSec ?? 0);
  return Math.round(usd * 1e6) / 1e6;
}
