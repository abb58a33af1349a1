import { parseStartOptions, UsageError } from '../start-options';

describe('npm start -- --model kind=owner/name[:version]', () => {
  it('puts each repeated --model into the job spec models, by scene kind, pinned versions kept', () => {
    const version = 'f559560eb822dc509045f3921a1921234918b91739db4bf3daab2169b71c7a13';

    const options = parseStartOptions([
      'a lighthouse',
      '--model',
      'video=kwaivgi/kling-v2.1',
      '--model',
      `narration=jaaari/kokoro-82m:${version}`,
    ]);

    expect(options.spec.models).toEqual({
      video: 'kwaivgi/kling-v2.1',
      narration: `jaaari/kokoro-82m:${version}`,
    });
  });

  it('refuses a malformed option, an unknown kind or a malformed id, naming --model', () => {
    expect(() => parseStartOptions(['x', '--model', 'kwaivgi/kling-v2.1'])).toThrow(UsageError);
    expect(() => parseStartOptions(['x', '--model', 'voice=a/b'])).toThrow(/--model/);
    expect(() => parseStartOptions(['x', '--model', 'video=not a model'])).toThrow(/--model video/);
    expect(() => parseStartOptions(['x', '--model', 'video=a/b', '--model', 'video=c/d'])).toThrow(/twice/);
  });
});

describe('npm start -- --fresh / --data-dir', () => {
  it('keeps the stage data folder unless --fresh asks for an empty one, and takes another folder with --data-dir', () => {
    expect(parseStartOptions(['a lighthouse'])).toMatchObject({ fresh: false });
    expect(parseStartOptions(['a lighthouse']).dataDir).toBeUndefined();
    expect(parseStartOptions(['a lighthouse', '--fresh', '--data-dir', '/srv/reelay'])).toMatchObject({
      fresh: true,
      dataDir: '/srv/reelay',
    });
  });
});

describe('npm start -- --language TAG', () => {
  it('puts the language into the job spec and refuses a tag that is not BCP-47 as a usage error', () => {
    expect(parseStartOptions(['a lighthouse', '--language', 'vi']).spec).toMatchObject({ language: 'vi' });
    expect(parseStartOptions(['a lighthouse']).spec).not.toHaveProperty('language');
    expect(() => parseStartOptions(['a lighthouse', '--language', 'vi_VN!'])).toThrow(UsageError);
    expect(() => parseStartOptions(['a lighthouse', '--language', 'vi_VN!'])).toThrow(/BCP-47/);
  });
});
