import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFfmpeg } from '@reelay/media';
import { type LocalModelServer, newWebhookSecret, startLocalModelServer } from '../../../../local/models/src';
import { findClaimedPrediction } from '../../src/rendering/find-claimed-prediction';
import { createReplicate } from '../../src/rendering/replicate-client';
import { webhookUrl } from '../../src/rendering/webhook-url';
import { quickScene } from './render-harness';

/** The reconciliation of a claim whose prediction id was never recorded, against the local server. */
describe('finding the prediction a claim created', () => {
  let models: LocalModelServer;
  let dir: string;
  const token = 'r8_find_claimed';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'find-claimed-'));
    const { ffmpeg, ffprobe } = findFfmpeg();
    models = await startLocalModelServer({
      apiToken: token,
      webhookSigningSecret: newWebhookSecret(),
      workDir: dir,
      ffmpegPath: ffmpeg,
      ffprobePath: ffprobe,
    });
  });

  afterAll(async () => {
    await models?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adopts the prediction whose webhook carries the claim token, and no other', async () => {
    const replicate = createReplicate(token, `${models.url}/v1`);
    const scene = quickScene('find-claimed');
    const claim = (claimToken: string) => ({
      jobId: scene.jobId,
      sceneIndex: 0,
      attempt: 1,
      token: claimToken,
      createStartedAt: new Date().toISOString(),
      scene,
    });
    const created = [];
    for (const claimToken of [
      '6f1c8e36-0000-4000-8000-000000000001',
      '6f1c8e36-0000-4000-8000-000000000002',
    ]) {
      created.push(
        await replicate.predictions.create({
          model: scene.model,
          input: { prompt: scene.prompt, duration_sec: 1, width: 320, height: 180, fps: 12, seed: 1 },
          // Unreachable on purpose: only the URL matters here.
          webhook: webhookUrl('http://127.0.0.1:9', claim(claimToken)),
          webhook_events_filter: ['completed'],
        } as never),
      );
    }

    const first = await findClaimedPrediction(replicate, claim('6f1c8e36-0000-4000-8000-000000000001'));
    const none = await findClaimedPrediction(replicate, claim('6f1c8e36-0000-4000-8000-00000000000f'));

    expect(first?.id).toBe(created[0]?.id);
    expect(none).toBeUndefined();
  }, 60_000);
});
