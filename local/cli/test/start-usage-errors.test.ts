import { parseStartOptions, UsageError } from '../start-options';

/** The message parseStartOptions refuses argv with. */
function refusal(argv: string[]): string {
  try {
    parseStartOptions(argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('npm start usage errors in plain English', () => {
  it('states the range of a number option instead of the schema text', () => {
    expect(refusal(['a fox', '--scenes', '13'])).toBe('--scenes must be a whole number from 1 to 12');
    expect(refusal(['a fox', '--scenes', '2.5'])).toBe('--scenes must be a whole number from 1 to 12');
    expect(refusal(['a fox', '--scenes', 'three'])).toBe(
      '--scenes must be a whole number from 1 to 12, not "three"',
    );
    expect(refusal(['a fox', '--seconds', '0'])).toBe('--seconds must be a number of seconds from 1 to 10');
    expect(refusal(['a fox', '--seed', '-1'])).toMatch(/^--seed needs a value/);
    expect(refusal(['a fox', '--seed=-1'])).toBe('--seed must be a whole number from 0 to 2147483647');
  });

  it('lists the allowed values of a choice, with the nearest one', () => {
    expect(refusal(['a fox', '--resolution', '4k'])).toBe('--resolution must be one of 480p, 720p, 1080p');
    expect(refusal(['a fox', '--resolution', '720'])).toBe(
      '--resolution must be one of 480p, 720p, 1080p: did you mean 720p?',
    );
    expect(refusal(['a fox', '--recipe', 'add'])).toBe(
      '--recipe must be one of prompt, ad, story, merge, soundtrack: did you mean ad?',
    );
  });

  it('asks for a prompt with an example command', () => {
    expect(refusal([])).toBe('a prompt is needed for the prompt recipe: npm start -- "a fox in the snow"');
    expect(refusal(['--recipe', 'ad'])).toMatch(
      /^a prompt is needed for the ad recipe: npm start -- ".+" --recipe ad/,
    );
  });

  it('asks for uploads where the recipe needs them, and one video for a soundtrack', () => {
    expect(refusal(['--recipe', 'merge'])).toMatch(
      /^the merge recipe needs at least one --upload FILE: npm start -- /,
    );
    expect(refusal(['calm', '--recipe', 'soundtrack', '--upload', 'a.mp4', '--upload', 'b.mp4'])).toBe(
      'the soundtrack recipe scores exactly one video: give one --upload FILE, not 2',
    );
  });

  it('names a wrong scene kind or model id given to --model', () => {
    expect(refusal(['a fox', '--model', 'voice=a/b'])).toBe(
      '--model: voice is not a kind of scene; use one of video, image, narration, music',
    );
    expect(refusal(['a fox', '--model', 'video=not a model'])).toBe(
      '--model video: "not a model" must be owner/name or owner/name:version, e.g. video=kwaivgi/kling-v2.1',
    );
  });
});
