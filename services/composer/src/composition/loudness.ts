/** Streaming loudness (EBU R128): -14 LUFS integrated; true peak kept under -1 dBTP with margin for the AAC encoder. */
export const LOUDNESS_TARGET = { integratedLufs: -14, truePeakDbtp: -1.5, lra: 11 } as const;

/** At or below this the sound is silence: there is nothing to normalize (ebur128 reports -70). */
const SILENCE_LUFS = -70;

export interface LoudnessMeasurement {
  integratedLufs: number;
  truePeakDbtp: number;
  lra: number;
  thresholdLufs: number;
}

/** Thrown when the measuring pass printed no summary we can read: a bug or an odd ffmpeg build. */
export class LoudnessReportMissingError extends Error {
  readonly retryable = false;
  constructor(detail: string) {
    super(`ebur128 printed no loudness summary: ${detail}`);
    this.name = 'LoudnessReportMissingError';
  }
}

/**
 * The measuring pass's filter: ebur128 with true peak, which prints its summary on stderr at the
 * end (log level info; its per-frame lines go to verbose). It measures what loudnorm's first pass
 * measures (integrated, range, threshold, true peak) at a third of the cost: loudnorm resamples
 * everything to 192 kHz, ebur128 oversamples only to find the true peak.
 */
export function loudnessMeasureFilter(): string {
  return 'ebur128=peak=true:framelog=verbose';
}

/** Reads the last summary ebur128 printed on stderr. */
export function parseLoudnessReport(stderr: string): LoudnessMeasurement {
  const at = stderr.lastIndexOf('Summary:');
  if (at === -1) throw new LoudnessReportMissingError('no summary on stderr');
  const summary = stderr.slice(at);
  // ebur128's summary (libavfilter/f_ebur128.c), one decimal each; -inf for silence' peak.
  const value = (pattern: RegExp, name: string) => {
    const found = pattern.exec(summary)?.[1];
    if (found === undefined) throw new LoudnessReportMissingError(`no ${name} in the summary`);
    return found === '-inf' ? Number.NEGATIVE_INFINITY : Number(found);
  };
  const number = '(-?\\d+(?:\\.\\d+)?|-inf)';
  return {
    integratedLufs: value(new RegExp(`Integrated loudness:\\s+I:\\s+${number} LUFS`), 'integrated loudness'),
    thresholdLufs: value(
      new RegExp(`Integrated loudness:\\s+I:\\s+\\S+ LUFS\\s+Threshold:\\s+${number} LUFS`),
      'integration threshold',
    ),
    lra: value(new RegExp(`Loudness range:\\s+LRA:\\s+${number} LU`), 'loudness range'),
    truePeakDbtp: value(new RegExp(`True peak:\\s+Peak:\\s+${number} dBFS`), 'true peak'),
  };
}

/**
 * The second pass. When one gain reaches -14 LUFS with the true peak still under its ceiling and
 * the range within target, that gain is the whole correction (exactly what loudnorm's linear mode
 * would apply, without its 192 kHz round trip). Otherwise loudnorm is fed the measurements and
 * does what its linear mode does then: falls back to dynamic normalization, which limits the
 * peaks (callers resample back to 48 kHz after it). Undefined for silence, which has no loudness
 * to correct.
 */
export function loudnessApplyFilter(measured: LoudnessMeasurement): string | undefined {
  const values = [measured.integratedLufs, measured.lra, measured.thresholdLufs];
  if (!values.every(Number.isFinite) || measured.integratedLufs <= SILENCE_LUFS) return undefined;
  const { integratedLufs, truePeakDbtp, lra } = LOUDNESS_TARGET;
  const gainDb = integratedLufs - measured.integratedLufs;
  const truePeak = Number.isFinite(measured.truePeakDbtp) ? measured.truePeakDbtp : -99;
  if (truePeak + gainDb <= truePeakDbtp && measured.lra <= lra) {
    return `volume=${gainDb.toFixed(2)}dB`;
  }
  return [
    `loudnorm=I=${integratedLufs}:TP=${truePeakDbtp}:LRA=${lra}`,
    `measured_I=${measured.integratedLufs}`,
    `measured_TP=${truePeak}`,
    `measured_LRA=${measured.lra}`,
    `measured_thresh=${measured.thresholdLufs}`,
    'linear=true',
  ].join(':');
}
