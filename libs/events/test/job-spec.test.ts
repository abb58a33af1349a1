import { frameSize, jobSpecSchema } from '../src';

describe('job spec', () => {
  it('applies the documented defaults', () => {
    const spec = jobSpecSchema.parse({ prompt: 'a lighthouse' });

    expect(spec).toMatchObject({
      recipe: 'prompt',
      scenes: 5,
      secondsPerScene: 4,
      resolution: '720p',
      aspect: '16:9',
      transition: 'crossfade',
    });
  });

  it('refuses unknown fields instead of ignoring them', () => {
    const result = jobSpecSchema.safeParse({ prompt: 'a lighthouse', sceens: 3 });

    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('sceens');
  });

  it('needs a prompt for the prompt recipe and uploads for merge', () => {
    expect(jobSpecSchema.safeParse({}).success).toBe(false);
    expect(jobSpecSchema.safeParse({ recipe: 'merge' }).success).toBe(false);
  });

  it('bounds the scene count to 1–12', () => {
    expect(jobSpecSchema.safeParse({ prompt: 'p', scenes: 0 }).success).toBe(false);
    expect(jobSpecSchema.safeParse({ prompt: 'p', scenes: 13 }).success).toBe(false);
  });

  it('makes even frame sizes for every aspect', () => {
    expect(frameSize('720p', '16:9')).toEqual({ width: 1280, height: 720 });
    expect(frameSize('480p', '16:9')).toEqual({ width: 854, height: 480 });
    expect(frameSize('1080p', '9:16')).toEqual({ width: 1080, height: 1920 });
    expect(frameSize('720p', '1:1')).toEqual({ width: 720, height: 720 });
  });

  it('accepts an S3 destination whose prefix is a folder, and names the same folder once with or without its slash', () => {
    // Prepare
    const s3 = (prefix?: string) => ({
      type: 's3',
      bucket: 'my-videos',
      ...(prefix === undefined ? {} : { prefix }),
    });
    // Act
    const accepted = ['', 'reelay', 'reelay/', 'a/b-c/d_e.f', undefined].map(
      (prefix) => jobSpecSchema.safeParse({ prompt: 'p', publish: [s3(prefix)] }).success,
    );
    const twice = jobSpecSchema.safeParse({ prompt: 'p', publish: [s3('reelay'), s3('reelay/')] });
    // Assess
    expect(accepted).toEqual([true, true, true, true, true]);
    expect(twice.error?.issues.map((i) => i.message)).toEqual(['s3:my-videos/reelay is named twice']);
  });

  it.each([
    ['a parent segment', '../other-user'],
    ['a parent segment inside', 'videos/../../x'],
    ['a current-folder segment', './videos'],
    ['a leading slash', '/videos'],
    ['a doubled slash', 'videos//2026'],
    ['a character S3 calls unsafe', 'videos?x=1'],
    ['a space', 'my videos'],
    ['more than 256 characters', 'a'.repeat(257)],
  ])('refuses an S3 prefix with %s, naming the field', (_, prefix) => {
    // Act
    const result = jobSpecSchema.safeParse({
      prompt: 'p',
      publish: [{ type: 's3', bucket: 'my-videos', prefix }],
    });
    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['publish.0.prefix']);
  });
});
