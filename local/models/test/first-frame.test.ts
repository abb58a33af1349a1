import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Replicate from 'replicate';
import { LOCAL_MODELS, type LocalModelServer, startLocalModelServer } from '../src/index';
import { download, meanAbsoluteDifference, thumbnailPixels } from './media-probe';

const TOKEN = 'r8_local_first_frame';
const SECRET = `whsec_${Buffer.from('a-test-signing-secret-of-32-bytes').toString('base64')}`;

/** A chained scene: the video model starts from the given first frame, then becomes its own look. */
describe('text-to-video with a first frame', () => {
  let workDir: string;
  let server: LocalModelServer;
  let frames: Server;
  let frameUrl: string;
  let replicate: Replicate;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'first-frame-'));
    server = await startLocalModelServer({
      apiToken: TOKEN,
      webhookSigningSecret: SECRET,
      workDir: join(workDir, 'server'),
      ffmpegPath: '/usr/bin/ffmpeg',
    });
    replicate = new Replicate({ auth: TOKEN, baseUrl: `${server.url}/v1`, useFileOutput: false });
    // The previous scene's last frame: plain red, as a presigned S3 URL would serve it.
    const red = join(workDir, 'red.jpg');
    execFileSync('/usr/bin/ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=red:s=320x180',
      '-frames:v',
      '1',
      '-y',
      red,
    ]);
    const jpeg = await readFile(red);
    frames = createServer((_, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg));
    await new Promise<void>((resolve) => frames.listen(0, '127.0.0.1', resolve));
    frameUrl = `http://127.0.0.1:${(frames.address() as AddressInfo).port}/frames/00-last.jpg`;
  });

  afterAll(async () => {
    await server.close();
    await new Promise((resolve) => frames.close(resolve));
    await rm(workDir, { recursive: true, force: true });
  });

  async function render(extra: Record<string, unknown>): Promise<string> {
    const input = {
      prompt: 'a water bottle on a beach',
      duration_sec: 2,
      width: 320,
      height: 180,
      fps: 24,
      seed: 3,
    };
    const prediction = await replicate.wait(
      await replicate.predictions.create({ model: LOCAL_MODELS.video, input: { ...input, ...extra } }),
      { interval: 100 },
    );
    if (prediction.status !== 'succeeded')
      throw new Error(`prediction ${prediction.status}: ${prediction.error}`);
    const file = join(workDir, `${prediction.id}.mp4`);
    await download(String(prediction.output), file);
    return file;
  }

  it('opens on the first frame and ends on its own look, unlike the same scene without one', async () => {
    const chained = await render({ first_frame_url: frameUrl });
    const plain = await render({});
    const red = Buffer.alloc(32 * 18 * 3);
    for (let i = 0; i < red.length; i += 3) red[i] = 255;

    const chainedStart = await thumbnailPixels(chained, 0.05);
    const plainStart = await thumbnailPixels(plain, 0.05);
    const chainedEnd = await thumbnailPixels(chained, 1.9);
    const plainEnd = await thumbnailPixels(plain, 1.9);

    expect(meanAbsoluteDifference(chainedStart, red)).toBeLessThan(40);
    expect(meanAbsoluteDifference(plainStart, red)).toBeGreaterThan(60);
    expect(meanAbsoluteDifference(chainedEnd, plainEnd)).toBeLessThan(15);
  });
});
