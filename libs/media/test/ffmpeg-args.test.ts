import { enforceInputPolicy, fileInput, UnsafeFfmpegArgsError } from '../src/ffmpeg-args';

describe('enforceInputPolicy', () => {
  it('limits every input to local files', () => {
    // Act
    const args = enforceInputPolicy(['-ss', '1', '-i', 'a.mp4', '-i', 'b.mp4', '-map', '0:v', 'out.mp4']);
    // Assess
    expect(args).toEqual([
      '-ss',
      '1',
      '-protocol_whitelist',
      'file',
      '-i',
      'a.mp4',
      '-protocol_whitelist',
      'file',
      '-i',
      'b.mp4',
      '-map',
      '0:v',
      'out.mp4',
    ]);
  });

  it('leaves an input that already sets its whitelist alone', () => {
    const args = enforceInputPolicy([...fileInput('a.mp4', { formats: ['mov', 'mp4'] }), 'out.mp4']);
    expect(args.filter((arg) => arg === '-protocol_whitelist')).toHaveLength(1);
    expect(args).toContain('-format_whitelist');
  });

  it('refuses lavfi inputs unless the caller renders synthetic media', () => {
    const lavfi = ['-f', 'lavfi', '-i', 'testsrc2', 'out.mp4'];
    expect(() => enforceInputPolicy(lavfi)).toThrow(UnsafeFfmpegArgsError);
    expect(enforceInputPolicy(lavfi, { allowLavfi: true })).toEqual([
      '-f',
      'lavfi',
      '-protocol_whitelist',
      'file',
      '-i',
      'testsrc2',
      'out.mp4',
    ]);
  });

  it('refuses filtergraphs that open files through movie or amovie', () => {
    expect(() =>
      enforceInputPolicy(['-i', 'a.mp4', '-filter_complex', '[0:v]null[a];movie=/etc/passwd[b]', 'o.mp4']),
    ).toThrow(UnsafeFfmpegArgsError);
    expect(() => enforceInputPolicy(['-i', 'a.mp4', '-af', 'amovie=x.wav', 'o.mp4'])).toThrow(
      UnsafeFfmpegArgsError,
    );
  });
});
