import { loudnessApplyFilter, parseLoudnessReport } from '../../../src/composition/loudness';

/** ebur128's summary as ffmpeg 5.1 prints it at the end of the measuring pass. */
const summary = (i: string, peak: string, lra = '2.1') => `size=N/A time=00:00:28.00 bitrate=N/A speed= 111x
[Parsed_ebur128_37 @ 0x55ae495d8400] Summary:

  Integrated loudness:
    I:         ${i} LUFS
    Threshold: -30.0 LUFS

  Loudness range:
    LRA:         ${lra} LU
    Threshold: -40.0 LUFS
    LRA low:   -21.0 LUFS
    LRA high:  -19.0 LUFS

  True peak:
    Peak:       ${peak} dBFS
`;

describe('two-pass loudness', () => {
  it('reads the integrated loudness, threshold, range and true peak', () => {
    expect(parseLoudnessReport(summary('-20.0', '-9.6'))).toEqual({
      integratedLufs: -20,
      thresholdLufs: -30,
      lra: 2.1,
      truePeakDbtp: -9.6,
    });
  });

  it('corrects with one gain when the peak stays under its ceiling', () => {
    expect(loudnessApplyFilter(parseLoudnessReport(summary('-20.0', '-9.6')))).toBe('volume=6.00dB');
    expect(loudnessApplyFilter(parseLoudnessReport(summary('-8.5', '-1.0')))).toBe('volume=-5.50dB');
  });

  it('hands loudnorm the measurements when one gain would push the true peak over -1.5 dBTP', () => {
    // -20 LUFS needs +6 dB: a -3.2 dBTP peak would reach +2.8.
    expect(loudnessApplyFilter(parseLoudnessReport(summary('-20.0', '-3.2')))).toBe(
      'loudnorm=I=-14:TP=-1.5:LRA=11:measured_I=-20:measured_TP=-3.2:measured_LRA=2.1:measured_thresh=-30:linear=true',
    );
  });

  it('hands loudnorm a range wider than the target', () => {
    expect(loudnessApplyFilter(parseLoudnessReport(summary('-20.0', '-20.0', '14.0')))).toMatch(/^loudnorm=/);
  });

  it('leaves silence alone', () => {
    expect(loudnessApplyFilter(parseLoudnessReport(summary('-70.0', '-inf')))).toBeUndefined();
  });

  it('fails clearly when the first pass printed no summary', () => {
    expect(() => parseLoudnessReport('nothing here')).toThrow('ebur128 printed no loudness summary');
  });
});
