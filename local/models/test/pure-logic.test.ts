import { createHmac } from 'node:crypto';
import { findModel, LOCAL_MODELS } from '../src/catalog';
import { preferWaitSeconds } from '../src/create-request';
import { parseRange } from '../src/output-files';
import { chooseLook, LOOKS } from '../src/render/procedural-looks';
import { layoutPromptText, printableText } from '../src/render/prompt-text';
import { frameCount } from '../src/render/video';
import { signWebhook, webhookSigningKey } from '../src/webhook-signing';

describe('prompt layout', () => {
  it('wraps a long prompt into at most four lines that fit the frame, cutting with an ellipsis', () => {
    // Prepare
    const prompt = 'word '.repeat(400);

    // Act
    const { lines, fontSize } = layoutPromptText(prompt, 1280, 720);

    // Assess
    expect(lines.length).toBeLessThanOrEqual(4);
    expect(lines.at(-1)).toMatch(/…$/);
    for (const line of lines) expect(line.length * fontSize * 0.62).toBeLessThanOrEqual(1280 * 0.84);
  });

  it('strips control characters so nothing but our own newlines reaches the text file', () => {
    expect(printableText('a\u0000b\nc\td\u001b[31m')).toBe('a b c d [31m');
  });
});

describe('request parsing', () => {
  it('reads Prefer: wait as 60 s and wait=N clamped to 1..60', () => {
    expect(preferWaitSeconds('wait')).toBe(60);
    expect(preferWaitSeconds('wait=5')).toBe(5);
    expect(preferWaitSeconds('wait=600')).toBe(60);
    expect(preferWaitSeconds('respond-async')).toBeUndefined();
    expect(preferWaitSeconds(undefined)).toBeUndefined();
  });

  it('finds a model by name, by name:version and by bare version, and nothing for a wrong version', () => {
    const video = findModel(LOCAL_MODELS.video);
    expect(video?.id).toBe(LOCAL_MODELS.video);
    expect(findModel(`${LOCAL_MODELS.video}:${video?.version}`)).toBe(video);
    expect(findModel(video?.version ?? '')).toBe(video);
    expect(findModel(`${LOCAL_MODELS.video}:${'0'.repeat(64)}`)).toBeUndefined();
  });

  it('parses single byte ranges and refuses ranges past the end', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=200-300', 100)).toBe('unsatisfiable');
    expect(parseRange(undefined, 100)).toBeUndefined();
  });
});

describe('rendering plans', () => {
  it('honours the duration within one frame', () => {
    expect(frameCount(4, 30)).toBe(120);
    expect(Math.abs(frameCount(2.51, 24) / 24 - 2.51)).toBeLessThanOrEqual(1 / 24);
  });

  it('chooses the same look for the same seed and uses every look across seeds', () => {
    const request = (seed: number) => ({
      seed,
      width: 1280,
      height: 720,
      fps: 30,
      frames: 120,
      pixelFormat: 'yuv420p' as const,
    });
    expect(chooseLook(request(42))).toEqual(chooseLook(request(42)));
    const seen = new Set(Array.from({ length: 200 }, (_, seed) => chooseLook(request(seed)).name));
    expect(seen.size).toBe(LOOKS.length);
  });
});

describe('webhook signing', () => {
  it('signs id.timestamp.body with the base64-decoded secret, as Standard Webhooks define it', () => {
    // Prepare
    const key = webhookSigningKey(`whsec_${Buffer.from('key').toString('base64')}`);

    // Act
    const signature = signWebhook(key, 'msg_1', 1700000000, '{}');

    // Assess
    expect(signature).toBe(
      `v1,${createHmac('sha256', 'key').update('msg_1.1700000000.{}').digest('base64')}`,
    );
    expect(() => webhookSigningKey('not-a-secret')).toThrow('whsec_');
  });
});
