import { loudnessApplyFilter, parseLoudnessReport } from '../../../src/composition/loudness';

const report = (inputI: string) => `[Parsed_loudnorm_1 @ 0x1]
{
	"input_i" : "${inputI}",
	"input_tp" : "-3.20",
	"input_lra" : "2.10",
	"input_thresh" : "-30.00",
	"output_i" : "-14.00",
	"output_tp" : "-1.50",
	"output_lra" : "2.00",
	"output_thresh" : "-24.00",
	"normalization_type" : "linear",
	"target_offset" : "0.10"
}`;

describe('two-pass loudness', () => {
  it('feeds the measured values into a linear second pass', () => {
    const filter = loudnessApplyFilter(parseLoudnessReport(`size=1kB\n${report('-20.00')}`));
    expect(filter).toBe(
      'loudnorm=I=-14:TP=-1.5:LRA=11:measured_I=-20:measured_TP=-3.2:measured_LRA=2.1:measured_thresh=-30:offset=0.1:linear=true',
    );
  });

  it('leaves silence alone instead of feeding loudnorm -inf', () => {
    expect(loudnessApplyFilter(parseLoudnessReport(report('-inf')))).toBeUndefined();
  });

  it('fails clearly when the first pass printed no report', () => {
    expect(() => parseLoudnessReport('nothing here')).toThrow('loudnorm printed no measurement');
  });
});
