import { z } from 'zod';

/** Streaming loudness (EBU R128): -14 LUFS integrated; true peak kept under -1 dBTP with margin for the AAC encoder. */
export const LOUDNESS_TARGET = { integratedLufs: -14, truePeakDbtp: -1.5, lra: 11 } as const;

/** Below this the soundtrack is silence: there is nothing to normalize (loudnorm reports -inf). */
const SILENCE_LUFS = -70;

// loudnorm prints every value as a string, "-inf" for silence.
const loudnormNumber = z.string().transform((value) => Number(value));
const loudnormReportSchema = z.object({
  input_i: loudnormNumber,
  input_tp: loudnormNumber,
  input_lra: loudnormNumber,
  input_thresh: loudnormNumber,
  target_offset: loudnormNumber,
});

export interface LoudnessMeasurement {
  integratedLufs: number;
  truePeakDbtp: number;
  lra: number;
  thresholdLufs: number;
  targetOffset: number;
}

/** Thrown when loudnorm's first pass printed no report we can read: a bug or an odd ffmpeg build. */
export class LoudnessReportMissingError extends Error {
  readonly retryable = false;
  constructor(detail: string) {
    super(`loudnorm printed no measurement: ${detail}`);
    this.name = 'LoudnessReportMissingError';
  }
}

/** The measuring pass's filter: prints its JSON report on stderr at the end (log level info). */
export function loudnessMeasureFilter(): string {
  const { integratedLufs, truePeakDbtp, lra } = LOUDNESS_TARGET;
  return `loudnorm=I=${integratedLufs}:TP=${truePeakDbtp}:LRA=${lra}:print_format=json`;
}

/** Reads the last JSON object loudnorm printed on stderr. */
export function parseLoudnessReport(stderr: string): LoudnessMeasurement {
  const start = stderr.lastIndexOf('{');
  const end = stderr.lastIndexOf('}');
  if (start === -1 || end < start) throw new LoudnessReportMissingError('no JSON object on stderr');
  let json: unknown;
  try {
    json = JSON.parse(stderr.slice(start, end + 1));
  } catch {
    throw new LoudnessReportMissingError('the report is not JSON');
  }
  const parsed = loudnormReportSchema.safeParse(json);
  if (!parsed.success) throw new LoudnessReportMissingError(z.prettifyError(parsed.error));
  const r = parsed.data;
  return {
    integratedLufs: r.input_i,
    truePeakDbtp: r.input_tp,
    lra: r.input_lra,
    thresholdLufs: r.input_thresh,
    targetOffset: r.target_offset,
  };
}

/**
 * The second pass: loudnorm fed the first pass's measurements, in linear mode (one gain for the
 * whole soundtrack, so the mix's dynamics stay as mixed), then back to 48 kHz (loudnorm works at
 * 192 kHz). Undefined for silence, which has no loudness to correct.
 */
export function loudnessApplyFilter(measured: LoudnessMeasurement): string | undefined {
  const values = [measured.integratedLufs, measured.truePeakDbtp, measured.lra, measured.thresholdLufs];
  if (!values.every(Number.isFinite) || measured.integratedLufs < SILENCE_LUFS) return undefined;
  const { integratedLufs, truePeakDbtp, lra } = LOUDNESS_TARGET;
  return [
    `loudnorm=I=${integratedLufs}:TP=${truePeakDbtp}:LRA=${lra}`,
    `measured_I=${measured.integratedLufs}`,
    `measured_TP=${measured.truePeakDbtp}`,
    `measured_LRA=${measured.lra}`,
    `measured_thresh=${measured.thresholdLufs}`,
    `offset=${Number.isFinite(measured.targetOffset) ? measured.targetOffset : 0}`,
    'linear=true',
  ].join(':');
}
