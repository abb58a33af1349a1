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

  it('refuses an S3 publish destination at submit, naming the field, while the publisher cannot copy there', () => {
    // Prepare
    const spec = { prompt: 'p', publish: [{ type: 's3', bucket: 'my-videos', prefix: 'reelay/' }] };
    // Act
    const result = jobSpecSchema.safeParse(spec);
    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['publish.0.type', 'publishing to an S3 bucket is not available yet; use a youtube destination'],
    ]);
    expect(
      jobSpecSchema.safeParse({ prompt: 'p', publish: [{ type: 'youtube', connection: 'main' }] }).success,
    ).toBe(true);
  });
});
