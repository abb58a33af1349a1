import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Replicate, { type Prediction } from 'replicate';
import { type LocalModelServer, startLocalModelServer } from '../src/index';
import { startWebhookReceiver } from './webhook-receiver';

const TOKEN = 'r8_restart_test_token';
const SECRET = `whsec_${Buffer.from('restart-test-signing-secret-32by').toString('base64')}`;
const WAN_T2V = 'wan-video/wan-2.2-t2v-fast';

async function settled(client: Replicate, id: string): Promise<Prediction> {
  for (;;) {
    const prediction = await client.predictions.get(id);
    if (['succeeded', 'failed', 'canceled', 'aborted'].includes(prediction.status)) return prediction;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the model server restarted on its work folder keeps its predictions and runs on the unfinished ones, as Replicate does', () => {
  let workDir: string;
  let server: LocalModelServer | undefined;

  const start = async () => {
    server = await startLocalModelServer({
      apiToken: TOKEN,
      webhookSigningSecret: SECRET,
      workDir,
      ffmpegPath: '/usr/bin/ffmpeg',
    });
    return {
      server,
      replicate: new Replicate({ auth: TOKEN, baseUrl: `${server.url}/v1`, useFileOutput: false }),
    };
  };

  beforeEach(() => {
    const parent = resolve(__dirname, '../../../.reelay');
    mkdirSync(parent, { recursive: true });
    workDir = mkdtempSync(join(parent, 'test-models-restart-'));
  });

  afterEach(async () => {
    await server?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('serves an ended prediction again, its output at the new address', async () => {
    // Prepare: one prediction ends before the server stops.
    const before = await start();
    const ended = await before.replicate.predictions.create({
      model: WAN_T2V,
      input: { prompt: 'a quiet harbour', resolution: '480p', num_frames: 81, frames_per_second: 24 },
    });
    const endedBefore = await settled(before.replicate, ended.id);
    await before.server.close();

    // Act
    const after = await start();
    const endedAfter = await after.replicate.predictions.get(ended.id);
    const video = await fetch(String(endedAfter.output));

    // Assess
    expect(endedBefore.status).toBe('succeeded');
    expect(endedAfter.status).toBe('succeeded');
    expect(endedAfter.created_at).toBe(endedBefore.created_at);
    expect(String(endedAfter.output).startsWith(after.server.url)).toBe(true);
    expect(video.status).toBe(200);
    expect((await video.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('runs on a prediction that was running when the server stopped: it succeeds and its webhook is delivered', async () => {
    // Prepare: a prediction still rendering (slow) when the server stops, with a webhook.
    const receiver = await startWebhookReceiver();
    try {
      const before = await start();
      before.server.faults.add({ kind: 'slow', delayMs: 60_000, match: { promptIncludes: 'patient' } });
      const running = await before.replicate.predictions.create({
        model: WAN_T2V,
        input: { prompt: 'patient', resolution: '480p', num_frames: 81, frames_per_second: 24 },
        webhook: `${receiver.url}/hook`,
        webhook_events_filter: ['completed'],
      });
      await before.server.close();

      // Act: a server on the same work folder, and nothing asked of it until the prediction ends.
      const after = await start();
      const resumed = await settled(after.replicate, running.id);
      await after.server.webhooksSettled();

      // Assess: the same prediction ended as Replicate would have ended it, and said so once.
      expect(resumed.status).toBe('succeeded');
      expect(resumed.created_at).toBe(running.created_at);
      expect((await fetch(String(resumed.output))).status).toBe(200);
      const completed = receiver.received.map((w) => JSON.parse(w.body) as { id: string; status: string });
      expect(completed).toEqual([expect.objectContaining({ id: running.id, status: 'succeeded' })]);
      expect(after.server.predictions().map((p) => p.id)).toEqual([running.id]);
    } finally {
      await receiver.close();
    }
  });
});
