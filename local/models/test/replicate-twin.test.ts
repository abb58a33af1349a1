import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { modelContract } from '@reelay/replicate-models';
import Replicate, { type Prediction } from 'replicate';
import { type LocalModelServer, startLocalModelServer } from '../src/index';
import { download, probe } from './media-probe';

/**
 * The local model server as a strict twin of Replicate for the recorded model contracts
 * (@reelay/replicate-models): real ids and versions, Replicate's 422s, community models by version
 * only, documented prediction fields only, aborted, 429 with the wait in the body, data removal,
 * the files API, and URL inputs Replicate could not fetch.
 */
const runFile = promisify(execFile);
const TOKEN = 'r8_twin_test_token';
const SECRET = `whsec_${Buffer.from('another-test-signing-secret-32by').toString('base64')}`;

const WAN_T2V = 'wan-video/wan-2.2-t2v-fast';
const WAN_I2V = 'wan-video/wan-2.2-i2v-fast';
const FLUX = 'black-forest-labs/flux-schnell';
const KOKORO = modelContract('jaaari/kokoro-82m');
const MUSICGEN = modelContract('meta/musicgen');
const LLAMA = 'meta/meta-llama-3-8b-instruct';
const KLING = 'kwaivgi/kling-v2.1';

/** The prediction fields Replicate documents (HTTP API, predictions.get): nothing else, and no webhook. */
const DOCUMENTED_FIELDS = [
  'id',
  'model',
  'version',
  'input',
  'output',
  'logs',
  'error',
  'status',
  'source',
  'created_at',
  'started_at',
  'completed_at',
  'data_removed',
  'urls',
  'metrics',
];

let workDir: string;
let server: LocalModelServer;
let replicate: Replicate;
let pngFile: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'reelay-twin-'));
  server = await startLocalModelServer({
    apiToken: TOKEN,
    webhookSigningSecret: SECRET,
    workDir: join(workDir, 'server'),
    ffmpegPath: '/usr/bin/ffmpeg',
  });
  replicate = new Replicate({ auth: TOKEN, baseUrl: `${server.url}/v1`, useFileOutput: false });
  // A 320x240 (4:3) first frame.
  pngFile = join(workDir, 'frame.png');
  await runFile('/usr/bin/ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=red:s=320x240',
    '-frames:v',
    '1',
    '-y',
    pngFile,
  ]);
});

afterEach(() => server.faults.clear());

afterAll(async () => {
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

/** The JSON body of a failed client call (the client puts it in the ApiError message). */
async function rejection(call: Promise<unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    const message = (error as Error).message;
    const status = Number(/failed with status (\d+)/.exec(message)?.[1]);
    const json = message.slice(message.indexOf('{'), message.lastIndexOf('}') + 1);
    return { status, body: JSON.parse(json) as Record<string, unknown> };
  }
  throw new Error('the call succeeded');
}

/** Polls until the prediction ends: `aborted` included (the client's own wait() does not know it). */
async function settled(id: string, client = replicate): Promise<Prediction> {
  for (;;) {
    const prediction = await client.predictions.get(id);
    if (['succeeded', 'failed', 'canceled', 'aborted'].includes(prediction.status)) return prediction;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('inputs the real models refuse are refused with Replicate 422s', () => {
  it.each([
    [
      'wan 2.2 t2v: a square aspect ratio',
      { model: WAN_T2V, input: { prompt: 'a fox', aspect_ratio: '1:1' } },
      [
        {
          type: 'enum',
          field: 'input.aspect_ratio',
          description: 'aspect_ratio must be one of the following: "16:9", "9:16"',
        },
      ],
    ],
    [
      'wan 2.2 t2v: 30 fps',
      { model: WAN_T2V, input: { prompt: 'a fox', frames_per_second: 30 } },
      [
        {
          type: 'number_lte',
          field: 'input.frames_per_second',
          description: 'Must be less than or equal to 24',
        },
      ],
    ],
    [
      'wan 2.2 i2v: no image',
      { model: WAN_I2V, input: { prompt: 'a fox' } },
      [{ type: 'required', field: 'input', description: 'image is required' }],
    ],
    [
      'flux schnell: an aspect ratio it does not make',
      { model: FLUX, input: { prompt: 'a fox', aspect_ratio: '7:3' } },
      [expect.objectContaining({ type: 'enum', field: 'input.aspect_ratio' })],
    ],
    [
      'llama 3 8b: max_tokens as text',
      { model: LLAMA, input: { prompt: 'hi', max_tokens: 'many' } },
      [
        {
          type: 'invalid_type',
          field: 'input.max_tokens',
          description: 'Invalid type. Expected: integer, given: string',
        },
      ],
    ],
    [
      'kling v2.1: no start_image',
      { model: KLING, input: { prompt: 'a fox' } },
      [{ type: 'required', field: 'input', description: 'start_image is required' }],
    ],
    [
      'kokoro (by version): a voice outside its list',
      { version: KOKORO.version, input: { text: 'hello', voice: 'af_heart' } },
      [expect.objectContaining({ type: 'enum', field: 'input.voice' })],
    ],
    [
      'musicgen (by version): duration as text',
      { version: MUSICGEN.version, input: { prompt: 'calm', duration: '8' } },
      [
        {
          type: 'invalid_type',
          field: 'input.duration',
          description: 'Invalid type. Expected: integer, given: string',
        },
      ],
    ],
  ])('%s', async (_name, request, expected) => {
    // Act
    const { status, body } = await rejection(
      replicate.predictions.create(request as Parameters<Replicate['predictions']['create']>[0]),
    );

    // Assess
    expect(status).toBe(422);
    expect(body).toMatchObject({ title: 'Input validation failed', status: 422, invalid_fields: expected });
    expect(body.detail).toContain((expected[0] as { field?: string }).field ?? 'input');
  });
});

describe('official and community models', () => {
  it('refuses a community model by name with a 404, as Replicate does', async () => {
    const { status, body } = await rejection(
      replicate.predictions.create({ model: 'jaaari/kokoro-82m', input: { text: 'hello' } }),
    );
    expect(status).toBe(404);
    expect(body).toMatchObject({ detail: 'The requested resource could not be found.', status: 404 });
    expect(
      server.predictions().filter((p) => p.model === 'jaaari/kokoro-82m' && p.input.text === 'hello'),
    ).toEqual([]);
  });

  it('refuses a community model named without a version on POST /v1/predictions', async () => {
    const { status, body } = await rejection(
      replicate.predictions.create({ version: 'meta/musicgen', input: { prompt: 'calm' } }),
    );
    expect(status).toBe(422);
    expect(body).toMatchObject({ title: 'Invalid version or not permitted' });
  });

  it('runs a community model by version: kokoro speaks at its voice, musicgen plays for its duration', async () => {
    // Act
    const speech = await replicate.predictions.create({
      version: `jaaari/kokoro-82m:${KOKORO.version}`,
      input: { text: 'The twin speaks.', voice: 'bm_george' },
    });
    const music = await replicate.predictions.create({
      version: MUSICGEN.version,
      input: { prompt: 'calm piano', duration: 3, model_version: 'stereo-large', output_format: 'wav' },
    });
    const [spoken, played] = [await settled(speech.id), await settled(music.id)];

    // Assess
    expect(spoken).toMatchObject({
      status: 'succeeded',
      model: 'jaaari/kokoro-82m',
      version: KOKORO.version,
    });
    expect(played).toMatchObject({ status: 'succeeded', model: 'meta/musicgen', version: MUSICGEN.version });
    const wav = join(workDir, 'music.wav');
    await download(String(played.output), wav);
    const media = await probe(wav);
    expect(Math.abs(Number(media.format.duration) - 3)).toBeLessThan(0.05);
    expect(server.predictions().find((p) => p.id === speech.id)?.logs).toContain('voice: awb');
  });

  it('serves model and version metadata: official models list no versions, community ones do', async () => {
    const wan = await replicate.models.get('wan-video', 'wan-2.2-t2v-fast');
    const musicgenVersions = await replicate.models.versions.list('meta', 'musicgen');
    const wanVersions = await rejection(replicate.models.versions.list('wan-video', 'wan-2.2-t2v-fast'));

    expect(wan).toMatchObject({ is_official: true, latest_version: { id: modelContract(WAN_T2V).version } });
    expect(musicgenVersions.results.map((v) => v.id)).toEqual([MUSICGEN.version]);
    expect(wanVersions.status).toBe(404);
  });
});

describe('rendering what the real models return', () => {
  it('wan 2.2 t2v renders num_frames at frames_per_second at its resolution and aspect ratio', async () => {
    // Act
    const created = await replicate.predictions.create({
      model: WAN_T2V,
      input: {
        prompt: 'A tall lighthouse',
        aspect_ratio: '9:16',
        resolution: '480p',
        num_frames: 81,
        frames_per_second: 24,
      },
    });
    const done = await settled(created.id);
    const file = join(workDir, 'wan.mp4');
    await download(String(done.output), file);
    const media = await probe(file);

    // Assess
    const video = media.streams.find((s) => s.codec_type === 'video');
    expect(done.status).toBe('succeeded');
    expect(video).toMatchObject({ width: 480, height: 832, r_frame_rate: '24/1' });
    expect(Math.abs(Number(media.format.duration) - 81 / 24)).toBeLessThan(1 / 24 + 0.001);
  });

  it('flux schnell answers a list of images at its aspect ratio, megapixels and format', async () => {
    const created = await replicate.predictions.create({
      model: FLUX,
      input: {
        prompt: 'A red kite',
        aspect_ratio: '16:9',
        megapixels: '0.25',
        output_format: 'png',
        num_outputs: 2,
      },
    });
    const done = await settled(created.id);

    expect(done.status).toBe('succeeded');
    expect(Array.isArray(done.output) && done.output.length).toBe(2);
    const file = join(workDir, 'flux.png');
    await download(String((done.output as string[])[1]), file);
    const media = await probe(file);
    expect(media.streams[0]).toMatchObject({ codec_name: 'png', width: 672, height: 384 });
  });

  it('llama 3 answers the planner brief as a list of text tokens, and reports token counts', async () => {
    const brief = {
      recipe: 'explainer',
      prompt: 'tea',
      scenes: 2,
      secondsPerScene: 4,
      visuals: ['video', 'video'],
      narration: true,
      music: true,
    };
    const created = await replicate.predictions.create({
      model: LLAMA,
      input: { prompt: `Plan it.\nBRIEF: ${JSON.stringify(brief)}`, max_tokens: 2048 },
    });
    const done = await settled(created.id);

    expect(done.status).toBe('succeeded');
    const text = (done.output as string[]).join('');
    expect(JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)).scenes).toHaveLength(2);
    expect(done.metrics).toMatchObject({ output_token_count: (done.output as string[]).length });
  });
});

describe('prediction objects', () => {
  it('GET and list return only the documented fields: no webhook, even when one was given', async () => {
    const created = await replicate.predictions.create({
      model: LLAMA,
      input: { prompt: 'hello' },
      webhook: 'https://example.invalid/hook',
      webhook_events_filter: ['completed'],
    });
    await settled(created.id);
    server.faults.add({ kind: 'drop-webhook' });

    const got = await replicate.predictions.get(created.id);
    const listed = (await replicate.predictions.list()).results.find((p) => p.id === created.id);

    for (const shown of [created, got, listed]) {
      expect(Object.keys(shown ?? {}).filter((key) => !DOCUMENTED_FIELDS.includes(key))).toEqual([]);
    }
  });

  it('a fault can end a prediction aborted, without output', async () => {
    server.faults.add({ kind: 'abort-prediction', match: { model: WAN_T2V } });

    const created = await replicate.predictions.create({ model: WAN_T2V, input: { prompt: 'never runs' } });
    const done = await settled(created.id);

    expect(done).toMatchObject({ status: 'aborted', output: null, started_at: null });
    expect(server.predictions().find((p) => p.id === created.id)?.faults).toEqual(['abort-prediction']);
  });

  it('a 429 can carry the wait only in its body, without Retry-After', async () => {
    server.faults.add({ kind: 'rate-limit', retryAfterSec: 30, bodyOnly: true });

    const response = await fetch(`${server.url}/v1/models/${WAN_T2V}/predictions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input: { prompt: 'x' } }),
    });

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(await response.json()).toEqual({
      title: 'Request was throttled',
      detail: 'Request was throttled. Your rate limit resets in ~30s.',
      status: 429,
    });
  });

  it('after expiry a prediction has no input, output or logs (data_removed), and its file URL 404s', async () => {
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
    const client = new Replicate({ auth: TOKEN, baseUrl: `${ttlServer.url}/v1`, useFileOutput: false });
    try {
      const speech = await settled(
        (await client.predictions.create({ version: KOKORO.version, input: { text: 'soon gone' } })).id,
        client,
      );
      const plan = await settled(
        (await client.predictions.create({ model: LLAMA, input: { prompt: 'hi' } })).id,
        client,
      );

      // Act
      now += 61_000;
      const [speechAfter, planAfter] = [
        await client.predictions.get(speech.id),
        await client.predictions.get(plan.id),
      ];
      const file = await fetch(String(speech.output));

      // Assess
      expect(speech.input).toMatchObject({ text: 'soon gone' });
      for (const after of [speechAfter, planAfter]) {
        expect(after).toMatchObject({ data_removed: true, output: null, logs: '', status: 'succeeded' });
        expect(after.input).toEqual({});
      }
      expect(file.status).toBe(404);
    } finally {
      await ttlServer.close();
    }
  });
  it("a remove-data fault removes a prediction's input, output and logs as it completes", async () => {
    server.faults.add({ kind: 'remove-data', match: { model: LLAMA } });

    const created = await replicate.predictions.create({ model: LLAMA, input: { prompt: 'forget me' } });
    const done = await settled(created.id);

    expect(done).toMatchObject({ status: 'succeeded', data_removed: true, output: null, logs: '' });
    expect(done.input).toEqual({});
  });
});

describe('files API and URL inputs', () => {
  it('uploads a file that a prediction then reads by its urls.get (wan i2v sized from the image)', async () => {
    // Act
    const file = await replicate.files.create(await readFile(pngFile), { purpose: 'first frame' });
    const listed = await replicate.files.list();
    const created = await replicate.predictions.create({
      model: WAN_I2V,
      input: { prompt: 'A red field', image: file.urls.get, num_frames: 81, frames_per_second: 24 },
    });
    const done = await settled(created.id);
    const clip = join(workDir, 'i2v.mp4');
    await download(String(done.output), clip);
    const media = await probe(clip);
    await replicate.files.delete(file.id);
    const gone = await rejection(replicate.files.get(file.id));

    // Assess
    expect(file).toMatchObject({
      content_type: 'application/octet-stream',
      size: (await readFile(pngFile)).length,
      metadata: { purpose: 'first frame' },
    });
    expect(listed.results.map((f) => f.id)).toContain(file.id);
    expect(done.status).toBe('succeeded');
    // 4:3 at 480p's area (832x480): 736x544.
    expect(media.streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 736, height: 544 });
    expect(gone.status).toBe(404);
  });

  it('fails a prediction whose URL input is on 127.0.0.1 (not the files API), as Replicate cannot fetch it', async () => {
    // Prepare: a real server on loopback that would serve the image.
    const png = await readFile(pngFile);
    let requests = 0;
    const local: Server = createServer((_req, res) => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(png);
    });
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(local.address() as AddressInfo).port}/bucket/frame.png?X-Amz-Signature=abc`;
    try {
      // Act
      const created = await replicate.predictions.create({
        model: WAN_I2V,
        input: { prompt: 'x', image: url },
      });
      const done = await settled(created.id);

      // Assess
      expect(done.status).toBe('failed');
      expect(String(done.error)).toContain('input.image');
      expect(String(done.error)).toContain('loopback or private address');
      expect(requests).toBe(0);
    } finally {
      await new Promise((resolve) => local.close(resolve));
    }
  });

  it('accepts a data URI as a URL input', async () => {
    const dataUri = `data:image/png;base64,${(await readFile(pngFile)).toString('base64')}`;
    const created = await replicate.predictions.create({
      model: WAN_I2V,
      input: { prompt: 'x', image: dataUri, frames_per_second: 24 },
    });
    expect(await settled(created.id)).toMatchObject({ status: 'succeeded' });
  });
});
