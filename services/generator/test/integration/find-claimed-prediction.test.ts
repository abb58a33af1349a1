import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFfmpeg } from '@reelay/media';
import { type LocalModelServer, newWebhookSecret, startLocalModelServer } from '../../../../local/models/src';
import { predictionInput } from '../../src/models/model-inputs';
import { findClaimedPrediction } from '../../src/rendering/find-claimed-prediction';
import { createReplicate } from '../../src/rendering/replicate-client';
import { quickScene } from './render-harness';

/**
 * The reconciliation of a claim whose prediction id was never recorded, against the twin, whose
 * predictions (like Replicate's) have no `webhook` field, and created without any webhook at all
 * (a local run with a real token polls).
 */
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

  it('adopts the prediction with the claim input, none of another scene, none owned by another attempt', async () => {
    // Prepare: two scenes' predictions created without webhooks, as a crash would leave them.
    const replicate = createReplicate(token, `${models.url}/v1`);
    const scene = quickScene('find-claimed-a');
    const other = quickScene('find-claimed-b');
    const claimOf = (s: typeof scene) => ({ createStartedAt: new Date().toISOString(), scene: s });
    const created = [];
    for (const s of [scene, other])
      created.push(
        await replicate.predictions.create({ model: s.model, input: predictionInput(s) } as never),
      );
    const unrelated = quickScene('find-claimed-never-created');

    // Act
    const found = await findClaimedPrediction(replicate, claimOf(scene));
    const none = await findClaimedPrediction(replicate, claimOf(unrelated));
    const owned = await findClaimedPrediction(replicate, claimOf(scene), new Set([created[0]?.id ?? '']));

    // Assess
    expect(found?.id).toBe(created[0]?.id);
    expect(found).not.toHaveProperty('webhook');
    expect(none).toBeUndefined();
    expect(owned).toBeUndefined();
  }, 60_000);
});
