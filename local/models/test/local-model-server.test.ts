import { execFile } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Replicate, { type Prediction, validateWebhook } from 'replicate';
import { LOCAL_MODELS, type LocalModelServer, startLocalModelServer } from '../src/index';
import { download, meanAbsoluteDifference, probe, thumbnailPixels } from './media-probe';
import { startWebhookReceiver } from './webhook-receiver';

const runFile = promisify(execFile);

const TOKEN = 'r8_local_test_token';
const SECRET = `whsec_${Buffer.from('a-test-signing-secret-of-32-bytes').toString('base64')}`;

let workDir: string;
let server: LocalModelServer;
let replicate: Replicate;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'reelay-models-'));
  server = await startLocalModelServer({
    apiToken: TOKEN,
    webhookSigningSecret: SECRET,
    workDir: join(workDir, 'server'),
    ffmpegPath: '/usr/bin/ffmpeg',
  });
  replicate = new Replicate({ auth: TOKEN, baseUrl: `${server.url}/v1`, useFileOutput: false });
});

afterEach(() => server.faults.clear());

afterAll(async () => {
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

const small = { width: 320, height: 180 };

async function finished(prediction: Prediction): Promise<Prediction> {
  return replicate.wait(prediction, { interval: 100 });
}

/** Our own Standard Webhooks check: HMAC over id.timestamp.body, constant-time, 5-minute window. */
function verifySignature(
  headers: Record<string, string | string[] | undefined>,
  body: string,
  nowSec: number,
): boolean {
  const id = String(headers['webhook-id']);
  const timestamp = Number(headers['webhook-timestamp']);
  if (!(Math.abs(nowSec - timestamp) <= 300)) return false;
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const expected = Buffer.from(
    createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64'),
  );
  return String(headers['webhook-signature'])
    .split(' ')
    .some((candidate) => {
      const given = Buffer.from(candidate.split(',')[1] ?? '');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

async function waitFor<T>(probeFn: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probeFn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('text-to-video', () => {
  it('renders an H.264 clip of the requested size, rate and duration (within one frame), with no audio', async () => {
    // Prepare
    const input = {
      prompt: 'A lighthouse on a stormy cliff at dusk',
      duration_sec: 1.5,
      fps: 24,
      seed: 7,
      ...small,
    };

    // Act
    const prediction = await finished(
      await replicate.predictions.create({ model: LOCAL_MODELS.video, input }),
    );
    const file = join(workDir, 'video.mp4');
    const response = await download(String(prediction.output), file);
    const media = await probe(file);

    // Assess
    expect(prediction.status).toBe('succeeded');
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(1000);
    const video = media.streams.filter((s) => s.codec_type === 'video');
    expect(video).toHaveLength(1);
    expect(video[0]).toMatchObject({
      codec_name: 'h264',
      width: 320,
      height: 180,
      pix_fmt: 'yuv420p',
      r_frame_rate: '24/1',
    });
    expect(media.streams.some((s) => s.codec_type === 'audio')).toBe(false);
    expect(Math.abs(Number(media.format.duration) - 1.5)).toBeLessThanOrEqual(1 / 24);
    expect(prediction.metrics?.predict_time).toBeGreaterThan(0);
    expect(prediction.logs).toContain('100%|');
  });

  it('encodes as the composer stream-copies: no B-frames, a keyframe every half second', async () => {
    // Prepare
    const input = { prompt: 'A harbour at dawn', duration_sec: 2, fps: 30, seed: 3, ...small };

    // Act
    const prediction = await finished(
      await replicate.predictions.create({ model: LOCAL_MODELS.video, input }),
    );
    const file = join(workDir, 'video-keyframes.mp4');
    await download(String(prediction.output), file);
    const { stdout } = await runFile('ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'packet=pts,dts,flags',
      '-of',
      'csv=p=0',
      file,
    ]);

    // Assess: one line per packet (pts,dts,flags), in frame order since there are no B-frames.
    const packets = stdout
      .trim()
      .split('\n')
      .map((line) => line.split(','));
    expect(packets).toHaveLength(60);
    expect(packets.every(([pts, dts]) => pts === dts)).toBe(true);
    const keyframes = packets.flatMap(([, , flags], i) => (flags?.includes('K') ? [i] : []));
    expect(keyframes).toEqual(expect.arrayContaining([0, 15, 30, 45]));
  });

  it('gives two different prompts visibly different frames', async () => {
    // Prepare
    const create = (prompt: string) =>
      replicate.predictions.create({
        model: LOCAL_MODELS.video,
        input: { prompt, duration_sec: 1, seed: 1, ...small },
      });

    // Act
    const [first, second] = await Promise.all([
      create('a red sunrise over the sea'),
      create('a quiet forest at night'),
    ]);
    const files = [join(workDir, 'first.mp4'), join(workDir, 'second.mp4')] as const;
    await download(String((await finished(first)).output), files[0]);
    await download(String((await finished(second)).output), files[1]);
    const [a, b] = await Promise.all(files.map((file) => thumbnailPixels(file, 0.5)));

    // Assess
    expect(meanAbsoluteDifference(a ?? Buffer.alloc(0), b ?? Buffer.alloc(0))).toBeGreaterThan(12);
  });

  it('answers a "Prefer: wait" create with the finished prediction', async () => {
    // Act
    const prediction = await replicate.predictions.create({
      model: LOCAL_MODELS.video,
      input: { prompt: 'quick', duration_sec: 1, ...small },
      wait: 30,
    });

    // Assess
    expect(prediction.status).toBe('succeeded');
    expect(prediction.output).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/[a-z0-9]+\/output\.mp4$/);
  });

  it('accepts a version reference on POST /v1/predictions, as replicate.run("owner/name:version") sends it', async () => {
    // Prepare
    const model = await replicate.models.get('reelay-local', 'text-to-image');
    const version = model.latest_version?.id ?? '';

    // Act
    const output = await replicate.run(`${LOCAL_MODELS.image}:${version}`, {
      input: { prompt: 'a still of a mountain', width: 256, height: 144, seed: 3 },
    });
    const file = join(workDir, 'still.png');
    await download(String(output), file);

    // Assess
    const media = await probe(file);
    expect(media.streams[0]).toMatchObject({ codec_name: 'png', width: 256, height: 144 });
  });
});

describe('the API edge', () => {
  it('refuses a request without the token with 401', async () => {
    // Act
    const anonymous = await fetch(`${server.url}/v1/predictions`);
    const wrong = new Replicate({ auth: 'not-the-token', baseUrl: `${server.url}/v1` });

    // Assess
    expect(anonymous.status).toBe(401);
    await expect(wrong.predictions.list()).rejects.toMatchObject({ response: { status: 401 } });
  });

  it('refuses bad input with 422 and Replicate-like invalid_fields', async () => {
    // Act
    const response = await fetch(`${server.url}/v1/models/${LOCAL_MODELS.video}/predictions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input: { duration_sec: 30, width: 321 } }),
    });
    const body = (await response.json()) as {
      status: number;
      detail: string;
      invalid_fields: { field: string }[];
    };

    // Assess
    expect(response.status).toBe(422);
    expect(body.status).toBe(422);
    expect(body.detail).toContain('prompt is required');
    expect(body.invalid_fields.map((f) => f.field)).toEqual(
      expect.arrayContaining(['input', 'input.duration_sec', 'input.width']),
    );
    await expect(
      replicate.predictions.create({ model: LOCAL_MODELS.speech, input: {} }),
    ).rejects.toMatchObject({
      response: { status: 422 },
    });
  });

  it('returns 429 with Retry-After under a rate-limit fault, and the client surfaces it', async () => {
    // Prepare
    server.faults.add({ kind: 'rate-limit', retryAfterSec: 3 });

    // Act
    const response = await fetch(`${server.url}/v1/models/${LOCAL_MODELS.video}/predictions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input: { prompt: 'x' } }),
    });
    // The client retries a 429 five times at once (ignoring Retry-After), so it sees the 429 only past six.
    server.faults.add({ kind: 'rate-limit', retryAfterSec: 3, times: 6 });
    const surfaced = replicate.predictions.create({
      model: LOCAL_MODELS.video,
      input: { prompt: 'x', ...small },
    });

    // Assess
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toMatchObject({ status: 429, title: 'Request was throttled' });
    await expect(surfaced).rejects.toMatchObject({ response: { status: 429 } });
    expect(server.faults.pending()).toEqual([]);
  });

  it('answers 5xx on create and on get under server-error faults', async () => {
    // Prepare
    server.faults.add({ kind: 'server-error', status: 502 });
    server.faults.add({ kind: 'server-error', on: 'get', status: 503, match: { promptIncludes: 'ok' } });

    // Act
    const refused = replicate.predictions.create({ model: LOCAL_MODELS.speech, input: { text: 'ok' } });
    await expect(refused).rejects.toMatchObject({ response: { status: 502 } });
    const created = await replicate.predictions.create({ model: LOCAL_MODELS.speech, input: { text: 'ok' } });
    const get = await fetch(`${server.url}/v1/predictions/${created.id}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const again = await fetch(`${server.url}/v1/predictions/${created.id}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });

    // Assess
    expect(get.status).toBe(503);
    expect(again.status).toBe(200);
    expect(server.faults.pending()).toEqual([]);
  });

  it('lists predictions newest first', async () => {
    // Act
    const page = await replicate.predictions.list();

    // Assess
    expect(page.results.length).toBe(server.predictions().length);
    expect(page.results[0]?.id).toBe(server.predictions().at(-1)?.id);
  });
});

describe('prediction lifecycle', () => {
  it('cancels a processing prediction and kills its ffmpeg', async () => {
    // Prepare
    const created = await replicate.predictions.create({
      model: LOCAL_MODELS.video,
      input: { prompt: 'a long render', duration_sec: 10, width: 1280, height: 720 },
    });
    const pid = await waitFor(() => server.predictions().find((p) => p.id === created.id)?.renderPids[0]);

    // Act
    const canceled = await replicate.predictions.cancel(created.id);

    // Assess
    expect(canceled.status).toBe('canceled');
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(server.predictions().find((p) => p.id === created.id)).toMatchObject({
      cancelled: true,
      status: 'canceled',
    });
  });

  it('cancels a prediction still starting', async () => {
    // Prepare
    server.faults.add({ kind: 'slow', delayMs: 20_000, match: { promptIncludes: 'patient' } });
    const created = await replicate.predictions.create({
      model: LOCAL_MODELS.video,
      input: { prompt: 'patient', ...small },
    });

    // Act
    const canceled = await replicate.predictions.cancel(created.id);
    const later = await replicate.predictions.get(created.id);

    // Assess
    expect(created.status).toBe('starting');
    expect(canceled.status).toBe('canceled');
    expect(later).toMatchObject({ status: 'canceled', output: null });
  });

  it('fails a prediction under a fail-prediction fault, and the client raises it', async () => {
    // Prepare
    server.faults.add({
      kind: 'fail-prediction',
      error: 'CUDA out of memory',
      match: { model: LOCAL_MODELS.video },
    });
    const created = await replicate.predictions.create({
      model: LOCAL_MODELS.video,
      input: { prompt: 'doomed', ...small },
    });

    // Act
    const waited = finished(created);

    // Assess
    await expect(waited).rejects.toThrow('Prediction failed: CUDA out of memory');
    expect((await replicate.predictions.get(created.id)).status).toBe('failed');
  });

  it('points the output at another host under a foreign-host-output fault', async () => {
    // Prepare
    server.faults.add({ kind: 'foreign-host-output' });

    // Act
    const prediction = await replicate.predictions.create({
      model: LOCAL_MODELS.speech,
      input: { text: 'elsewhere' },
      wait: 30,
    });

    // Assess
    expect(new URL(String(prediction.output)).hostname).toBe('127.0.0.2');
  });
});

describe('webhooks', () => {
  it('delivers signed webhooks that verify, and a forged one that does not', async () => {
    // Prepare
    const receiver = await startWebhookReceiver();
    const create = (text: string) =>
      replicate.predictions.create({
        model: LOCAL_MODELS.speech,
        input: { text },
        webhook: `${receiver.url}/hooks/${text}`,
        webhook_events_filter: ['completed'],
      });

    // Act
    await finished(await create('genuine'));
    server.faults.add({ kind: 'forge-webhook' });
    await finished(await create('forged'));
    await server.webhooksSettled();
    await receiver.close();

    // Assess
    const nowSec = Date.now() / 1000;
    const genuine = receiver.received.find((w) => w.path === '/hooks/genuine');
    const forged = receiver.received.find((w) => w.path === '/hooks/forged');
    expect(genuine && verifySignature(genuine.headers, genuine.body, nowSec)).toBe(true);
    expect(JSON.parse(genuine?.body ?? '{}')).toMatchObject({
      status: 'succeeded',
      input: { text: 'genuine' },
    });
    const viaClient = await validateWebhook({
      id: String(genuine?.headers['webhook-id']),
      timestamp: String(genuine?.headers['webhook-timestamp']),
      signature: String(genuine?.headers['webhook-signature']),
      body: genuine?.body ?? '',
      secret: SECRET,
    });
    expect(viaClient).toBe(true);
    expect(forged && verifySignature(forged.headers, forged.body, nowSec)).toBe(false);
  });

  it('sends every event by default, stale timestamps and duplicate ids under faults, nothing when dropped', async () => {
    // Prepare
    const receiver = await startWebhookReceiver();
    const create = (text: string) =>
      replicate.predictions.create({
        model: LOCAL_MODELS.speech,
        input: { text },
        webhook: `${receiver.url}/${text}`,
      });
    server.faults.add({ kind: 'stale-webhook', match: { promptIncludes: 'stale' } });
    server.faults.add({ kind: 'duplicate-webhook', match: { promptIncludes: 'twice' } });
    server.faults.add({ kind: 'drop-webhook', match: { promptIncludes: 'lost' } });

    // Act
    await Promise.all(['all', 'stale', 'twice', 'lost'].map(async (text) => finished(await create(text))));
    await server.webhooksSettled();
    await receiver.close();

    // Assess
    const at = (path: string) => receiver.received.filter((w) => w.path === path);
    const events = at('/all').map((w) => (JSON.parse(w.body) as Prediction).status);
    expect(events[0]).toBe('starting');
    expect(events.at(-1)).toBe('succeeded');
    const stale = at('/stale').at(-1);
    expect(stale && verifySignature(stale.headers, stale.body, Date.now() / 1000)).toBe(false);
    expect(Number(stale?.headers['webhook-timestamp'])).toBeLessThan(Date.now() / 1000 - 300);
    const completedTwice = at('/twice').filter(
      (w) => (JSON.parse(w.body) as Prediction).status === 'succeeded',
    );
    expect(completedTwice).toHaveLength(2);
    expect(completedTwice[0]?.headers['webhook-id']).toBe(completedTwice[1]?.headers['webhook-id']);
    expect(at('/lost')).toHaveLength(0);
  });

  it('retries a webhook the receiver refuses', async () => {
    // Prepare
    let calls = 0;
    const receiver = await startWebhookReceiver(() => (++calls === 1 ? 500 : 200));

    // Act
    await finished(
      await replicate.predictions.create({
        model: LOCAL_MODELS.speech,
        input: { text: 'retry me' },
        webhook: receiver.url,
        webhook_events_filter: ['completed'],
      }),
    );
    await server.webhooksSettled();
    await receiver.close();

    // Assess
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]?.headers['webhook-id']).toBe(receiver.received[1]?.headers['webhook-id']);
  });
});

describe('speech and music', () => {
  it('speaks the text with flite for a plausible duration', async () => {
    // Prepare
    const text = 'Welcome to Reelay, where a prompt becomes a finished video in a few minutes.';
    const words = text.split(' ').length;

    // Act
    const prediction = await finished(
      await replicate.predictions.create({ model: LOCAL_MODELS.speech, input: { text } }),
    );
    const file = join(workDir, 'speech.wav');
    await download(String(prediction.output), file);
    const media = await probe(file);

    // Assess
    expect(media.streams[0]).toMatchObject({
      codec_type: 'audio',
      codec_name: 'pcm_s16le',
      sample_rate: '48000',
    });
    const seconds = Number(media.format.duration);
    expect(seconds).toBeGreaterThan(words * 0.15);
    expect(seconds).toBeLessThan(words * 1.0);
  });

  it('synthesizes music of exactly the requested duration', async () => {
    // Act
    const prediction = await finished(
      await replicate.predictions.create({
        model: LOCAL_MODELS.music,
        input: { prompt: 'warm and hopeful', duration_sec: 3, seed: 2 },
      }),
    );
    const file = join(workDir, 'music.wav');
    await download(String(prediction.output), file);
    const media = await probe(file);

    // Assess
    expect(media.streams[0]).toMatchObject({ codec_type: 'audio', channels: 2 });
    expect(Math.abs(Number(media.format.duration) - 3)).toBeLessThan(0.01);
  });
});

describe('output expiry', () => {
  it('expires outputs after the TTL: the file 404s and the prediction shows data_removed', async () => {
    // Prepare
    let now = Date.now();
    const ttlServer = await startLocalModelServer({
      apiToken: TOKEN,
      webhookSigningSecret: SECRET,
      workDir: join(workDir, 'ttl'),
      ffmpegPath: '/usr/bin/ffmpeg',
      outputTtlSec: 60,
      clock: () => now,
    });
    const client = new Replicate({ auth: TOKEN, baseUrl: `${ttlServer.url}/v1` });
    try {
      const done = await client.wait(
        await client.predictions.create({ model: LOCAL_MODELS.speech, input: { text: 'soon gone' } }),
        {
          interval: 100,
        },
      );
      const fresh = await fetch(String(done.output));

      // Act
      now += 61_000;
      const stale = await fetch(String(done.output));
      const after = await client.predictions.get(done.id);

      // Assess
      expect(fresh.status).toBe(200);
      expect(stale.status).toBe(404);
      expect(after).toMatchObject({ data_removed: true, output: null, status: 'succeeded' });
      expect(ttlServer.predictions()[0]?.dataRemoved).toBe(true);
    } finally {
      await ttlServer.close();
    }
  });

  it('serves an already expired output under an expire-output fault', async () => {
    // Prepare
    server.faults.add({ kind: 'expire-output' });

    // Act
    const prediction = await finished(
      await replicate.predictions.create({ model: LOCAL_MODELS.speech, input: { text: 'gone' } }),
    );
    const response = await fetch(String(prediction.output));

    // Assess
    expect(prediction.output).toBeTruthy();
    expect(response.status).toBe(404);
  });
});

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...init.headers } });

/**
 * The router's edges that no model render reaches: a malformed body, unknown paths, the files API's
 * delete and download, the account and the webhook secret. Each is answered as Replicate answers.
 */
describe('the model server routes', () => {
  it('refuses a create whose body is not JSON with 400 problem+json', async () => {
    // Act
    const malformed = await call('/v1/predictions', { method: 'POST', body: '{"version":' });

    // Assess
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ title: 'Bad request', status: 400 });
  });

  it('answers 404 problem+json for an unknown path under /v1, outside it, and a method a route does not take', async () => {
    // Act
    const answers = await Promise.all([
      call('/v1/unknown'),
      call('/elsewhere'),
      call('/v1/predictions/abc123', { method: 'DELETE' }),
      call('/v1/models', { method: 'POST' }),
    ]);

    // Assess
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404]);
    for (const answer of answers)
      expect(await answer.json()).toMatchObject({ title: 'Not found', status: 404 });
  });

  it('deletes an uploaded file: it is then a 404, and a second delete is too', async () => {
    // Prepare
    const file = await replicate.files.create(Buffer.from('hello'), { purpose: 'test' });

    // Act
    const deleted = await call(`/v1/files/${file.id}`, { method: 'DELETE' });
    const after = await call(`/v1/files/${file.id}`);
    const again = await call(`/v1/files/${file.id}`, { method: 'DELETE' });

    // Assess
    expect(deleted.status).toBe(204);
    expect(after.status).toBe(404);
    expect(again.status).toBe(404);
  });

  it('downloads an uploaded file byte for byte', async () => {
    // Prepare
    const file = await replicate.files.create(Buffer.from('the bytes'), { purpose: 'test' });

    // Act
    const download = await call(`/v1/files/${file.id}/download`);

    // Assess
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('the bytes');
  });

  it('answers the account and the default webhook secret the server signs with', async () => {
    // Act
    const account = await replicate.accounts.current();
    const secret = await replicate.webhooks.default.secret.get();

    // Assess
    expect(account).toMatchObject({ type: 'organization', username: 'reelay-local' });
    expect(secret).toEqual({ key: SECRET });
  });
});
