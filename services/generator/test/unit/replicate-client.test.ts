import {
  createReplicate,
  fetchWithoutClientRetries,
  retryAfterSec,
  throttledWaitSec,
} from '../../src/rendering/replicate-client';

const throttled = () =>
  new Response(JSON.stringify({ title: 'Request was throttled' }), {
    status: 429,
    headers: { 'content-type': 'application/json', 'retry-after': '7' },
  });

describe('the replicate client as the generator builds it', () => {
  it('reaches the network once on a 429 and hands Retry-After back to the workflow', async () => {
    let calls = 0;
    const replicate = createReplicate('r8_test', 'http://models.test/v1', async () => {
      calls += 1;
      return throttled();
    });

    const error = await replicate.predictions.create({ model: 'owner/name', input: {} } as never).then(
      () => ({}) as { response?: Response },
      (e: unknown) => e as { response?: Response },
    );

    expect(calls).toBe(1);
    expect(error.response?.status).toBe(429);
    expect(retryAfterSec(error.response?.headers.get('retry-after'))).toBe(7);
  });

  it('replays a failed answer only to retries of the same request', async () => {
    let calls = 0;
    const fetchOnce = fetchWithoutClientRetries(async () => {
      calls += 1;
      return throttled();
    });
    const first = {};
    const second = {};

    await fetchOnce('http://models.test/v1/predictions', first);
    await fetchOnce('http://models.test/v1/predictions', first);
    await fetchOnce('http://models.test/v1/predictions', second);

    expect(calls).toBe(2);
  });
});

describe('waiting after a 429', () => {
  it('reads Retry-After as seconds or as an HTTP date, clamped to 1..600', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(retryAfterSec('3', now)).toBe(3);
    expect(retryAfterSec('Mon, 23 Nov 2026 12:00:10 GMT', now)).toBe(10);
    expect(retryAfterSec('0', now)).toBe(1);
    expect(retryAfterSec('99999', now)).toBe(600);
    expect(retryAfterSec(undefined, now)).toBe(5);
  });

  it('waits at least Retry-After, plus jitter of up to half of it', () => {
    expect(throttledWaitSec(10, () => 0)).toBe(10);
    expect(throttledWaitSec(10, () => 0.999)).toBe(15);
  });
});
