import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Replicate, { type Prediction } from 'replicate';
import { type LocalModelServer, startLocalModelServer } from '../src/index';

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

describe('the model server restarted on its work folder keeps its predictions, as Replicate does', () => {
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

  it('serves an ended prediction again, its output at the new address; one that was running is aborted', async () => {
    // Prepare: one prediction ends, another is still rendering (slow) when the server stops.
    const before = await start();
    const ended = await before.replicate.predictions.create({
      model: WAN_T2V,
      input: { prompt: 'a quiet harbour', resolution: '480p', num_frames: 81, frames_per_second: 24 },
    });
    const endedBefore = await settled(before.replicate, ended.id);
    before.server.faults.add({ kind: 'slow', delayMs: 60_000, match: { promptIncludes: 'patient' } });
    const running = await before.replicate.predictions.create({
      model: WAN_T2V,
      input: { prompt: 'patient', resolution: '480p', num_frames: 81, frames_per_second: 24 },
    });
    await before.server.close();

    // Act
    const after = await start();
    const endedAfter = await after.replicate.predictions.get(ended.id);
    const runningAfter = await after.replicate.predictions.get(running.id);
    const video = await fetch(String(endedAfter.output));

    // Assess
    expect(endedBefore.status).toBe('succeeded');
    expect(endedAfter.status).toBe('succeeded');
    expect(endedAfter.created_at).toBe(endedBefore.created_at);
    expect(String(endedAfter.output).startsWith(after.server.url)).toBe(true);
    expect(video.status).toBe(200);
    expect((await video.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect(runningAfter.status).toBe('aborted');
    expect(after.server.predictions().map((p) => p.id)).toEqual([ended.id, running.id]);
  });
});
