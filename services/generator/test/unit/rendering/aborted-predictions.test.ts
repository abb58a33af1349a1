import { makeScenePlanned } from '@reelay/events';
import { Webhook } from 'standardwebhooks';
import { checkPrediction } from '../../../src/rendering/check-prediction';
import type { Claim, ClaimKey, PredictionOutcome } from '../../../src/rendering/prediction-claims';
import { createReplicate } from '../../../src/rendering/replicate-client';
import { handleReplicateWebhook, type WebhookDeps } from '../../../src/webhooks/handle-replicate-webhook';

/** Replicate's `aborted`: the prediction passed its deadline before it started, so it never ran. */
const abortedPrediction = {
  id: 'p-aborted',
  status: 'aborted',
  model: 'wan-video/wan-2.2-t2v-fast',
  metrics: {},
};
const answering = (body: object) =>
  createReplicate('r8_test', 'http://models.test/v1', async () => Response.json(body));

const scene = makeScenePlanned({ model: 'wan-video/wan-2.2-t2v-fast', attempt: 1 });
const key: ClaimKey = { jobId: scene.jobId, sceneIndex: scene.sceneIndex, attempt: 1 };
const token = '0d6c3c55-5f3e-4a8e-9a57-3b8f5b6a0c11';

/** The claims port in memory: one claim, and the outcomes recorded on it. */
function claimsInMemory() {
  const outcomes: PredictionOutcome[] = [];
  const claim: Claim = {
    ...key,
    token,
    claimedAt: new Date().toISOString(),
    createStartedAt: new Date().toISOString(),
    predictionId: abortedPrediction.id,
    scene,
  };
  return {
    outcomes,
    get: async () => claim,
    recordOutcome: async (_k: ClaimKey, outcome: PredictionOutcome) => {
      outcomes.push(outcome);
    },
    recordPrediction: async () => undefined,
  };
}

describe('a prediction Replicate aborted', () => {
  it('is retried as a new attempt while attempts are left, and charged nothing', async () => {
    const claims = claimsInMemory();

    const state = await checkPrediction(
      { scene, attempt: 1, prediction: { predictionId: 'p-aborted', status: 'starting', pollAfterSec: 2 } },
      { replicate: answering(abortedPrediction), claims, pollIntervalSec: 2, maxAttempts: 2 },
    );

    expect(state).toMatchObject({ status: 'retry', nextAttempt: 2 });
    expect(state.error).toContain('aborted');
    expect(claims.outcomes).toEqual([{ status: 'failed', costUsd: 0 }]);
  });

  it('fails the scene with the reason once no attempt is left (polling does not go on)', async () => {
    const claims = claimsInMemory();

    const state = await checkPrediction(
      { scene, attempt: 1, prediction: { predictionId: 'p-aborted', status: 'starting', pollAfterSec: 2 } },
      { replicate: answering(abortedPrediction), claims, pollIntervalSec: 2, maxAttempts: 1 },
    );

    expect(state.status).toBe('failed');
    expect(state.error).toMatch(/aborted.*before it started/);
  });

  it('a webhook carrying it is accepted (2xx outcome), not refused with a 400', async () => {
    const secret = `whsec_${Buffer.from('a-test-signing-key-of-some-length').toString('base64')}`;
    const rawBody = JSON.stringify(abortedPrediction);
    const timestamp = new Date();
    const claims = claimsInMemory();
    const deps = {
      secret,
      deliveries: { seen: async () => false, record: async () => undefined },
      claims,
      cancellations: { isCancelled: async () => false, recordIgnored: async () => undefined },
      pollIntervalSec: 2,
      maxAttempts: 2,
    } as unknown as WebhookDeps;

    const outcome = await handleReplicateWebhook(
      {
        rawBody,
        headers: {
          'webhook-id': 'msg_aborted',
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': new Webhook(secret).sign('msg_aborted', timestamp, rawBody),
        },
        query: { jobId: scene.jobId, sceneIndex: String(scene.sceneIndex), attempt: '1', claim: token },
      },
      deps,
    );

    // No AwaitPrediction task has recorded a token yet: its own check will find the end.
    expect(outcome).toBe('no-task');
    expect(claims.outcomes).toEqual([{ status: 'failed', costUsd: 0 }]);
  });
});
