import type { ModelContract } from './contract';

/** What a prediction used, in whichever units its model bills. */
export interface PredictionUsage {
  /** The (defaulted) input the prediction ran with. */
  input: Record<string, unknown>;
  /** Seconds of video produced (video models without a billed frame rate). */
  outputVideoSec?: number;
  /** Images produced (default: input.num_outputs, else 1). */
  images?: number;
  inputTokens?: number;
  outputTokens?: number;
  /** metrics.predict_time, for hardware-billed models. */
  predictTimeSec?: number;
}

export class PriceUnknownError extends Error {
  readonly retryable = false;
  constructor(modelId: string, reason: string) {
    super(`cannot price ${modelId}: ${reason}`);
    this.name = 'PriceUnknownError';
  }
}

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** The billed seconds of a video prediction: frames at the billed rate, else the output's length. */
function videoSeconds(contract: ModelContract, usage: PredictionUsage, billedFrameRate?: number): number {
  const frames = num(usage.input.num_frames);
  if (billedFrameRate !== undefined && frames !== undefined) return frames / billedFrameRate;
  const duration = num(usage.input.duration) ?? usage.outputVideoSec;
  if (duration === undefined) throw new PriceUnknownError(contract.id, 'no video duration');
  return duration;
}

/** The US dollars Replicate charges for one prediction of this model, from its recorded price. */
export function predictionCostUsd(contract: ModelContract, usage: PredictionUsage): number {
  const price = contract.price;
  switch (price.unit) {
    case 'output-video-second': {
      const resolution = price.resolutionByInput
        ? price.resolutionByInput.values[String(usage.input[price.resolutionByInput.field])]
        : String(usage.input.resolution);
      const perSecond = resolution === undefined ? undefined : price.usdPerSecondByResolution[resolution];
      if (perSecond === undefined)
        throw new PriceUnknownError(contract.id, `no price at resolution ${resolution}`);
      return perSecond * videoSeconds(contract, usage, price.billedFrameRate);
    }
    case 'output-image':
      return price.usdPerImage * (usage.images ?? num(usage.input.num_outputs) ?? 1);
    case 'token':
      return (
        ((usage.inputTokens ?? 0) * price.usdPerMillionInputTokens +
          (usage.outputTokens ?? 0) * price.usdPerMillionOutputTokens) /
        1_000_000
      );
    case 'hardware-second':
      if (usage.predictTimeSec === undefined) throw new PriceUnknownError(contract.id, 'no predict time');
      return price.usdPerSecond * usage.predictTimeSec;
    case 'input-character': {
      const text = usage.input[price.field];
      if (typeof text !== 'string') throw new PriceUnknownError(contract.id, `no ${price.field} input`);
      // Characters as a person counts them (code points), not UTF-16 units: "ế" is one.
      return (price.usdPerThousandCharacters * [...text].length) / 1000;
    }
  }
}
