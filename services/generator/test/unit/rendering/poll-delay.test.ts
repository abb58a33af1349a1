import { makeScenePlanned } from '@reelay/events';
import { checkPrediction } from '../../../src/rendering/check-prediction';
import { checkAfterSec, pollDelaySec } from '../../../src/rendering/poll-delay';
import type { Claim, ClaimKey } from '../../../src/rendering/prediction-claims';
import { createReplicate } from '../../../src/rendering/replicate-client';

const intervals = { baseSec: 2, maxSec: 30 };
const at = (iso: string) => Date.parse(iso);

describe('the wait between two checks of a running prediction', () => {
  it('is the base interval while the prediction is young', () => {
    expect(pollDelaySec('2026-12-05T10:00:00.000Z', at('2026-12-05T10:00:03Z'), intervals)).toBe(2);
  });

  it('grows to half the prediction age, so a long render is checked a few times, not every 2 s', () => {
    expect(pollDelaySec('2026-12-05T10:00:00.000Z', at('2026-12-05T10:00:20Z'), intervals)).toBe(10);
  });

  it('never exceeds the cap, however old the prediction', () => {
    expect(pollDelaySec('2026-12-05T10:00:00.000Z', at('2026-12-05T11:00:00Z'), intervals)).toBe(30);
  });

  it('falls back to the base interval when the creation time is missing or unreadable', () => {
    expect(pollDelaySec(undefined, at('2026-12-05T11:00:00Z'), intervals)).toBe(2);
    expect(pollDelaySec('not a date', at('2026-12-05T11:00:00Z'), intervals)).toBe(2);
  });

  it('checks a 60 s render 9 times where a fixed 2 s interval checked it 30 times', () => {
    let t = 0;
    let checks = 0;
    while (t < 60) {
      t += pollDelaySec(new Date(0).toISOString(), t * 1000, intervals);
      checks += 1;
    }
    expect(checks).toBe(9);
  });
});

describe('how long AwaitPrediction waits before it checks a running prediction', () => {
  it('is the webhook wait when webhooks come: the check only makes up for a lost one', () => {
    expect(
      checkAfterSec('2026-12-05T10:00:00.000Z', at('2026-12-05T10:00:20Z'), {
        ...intervals,
        webhookWaitSec: 300,
      }),
    ).toBe(300);
  });

  it('follows the poll delay without webhooks (a local run with real models)', () => {
    expect(checkAfterSec('2026-12-05T10:00:00.000Z', at('2026-12-05T10:00:20Z'), intervals)).toBe(10);
  });
});

describe('checkPrediction', () => {
  it('asks RenderScene to wait according to the age Replicate reports for the prediction', async () => {
    // Prepare: a prediction Replicate created 40 s ago, still processing.
    const scene = makeScenePlanned({ model: 'wan-video/wan-2.2-t2v-fast', attempt: 1 });
    const key: ClaimKey = { jobId: scene.jobId, sceneIndex: scene.sceneIndex, attempt: 1 };
    const claim: Claim = {
      ...key,
      token: '0d6c3c55-5f3e-4a8e-9a57-3b8f5b6a0c11',
      claimedAt: '2026-12-05T10:00:00.000Z',
      createStartedAt: '2026-12-05T10:00:00.000Z',
      predictionId: 'p-running',
      scene,
    };
    const processing = { id: 'p-running', status: 'processing', created_at: '2026-12-05T10:00:00.000Z' };
    const replicate = createReplicate('r8_test', 'http://models.test/v1', async () =>
      Response.json(processing),
    );

    // Act
    const state = await checkPrediction(
      { scene, attempt: 1, prediction: { predictionId: 'p-running', status: 'starting', pollAfterSec: 2 } },
      {
        replicate,
        claims: { get: async () => claim, recordOutcome: async () => undefined },
        pollIntervalSec: 2,
        maxPollIntervalSec: 30,
        now: () => at('2026-12-05T10:00:40Z'),
        maxAttempts: 2,
      },
    );

    // Assess
    expect(state).toEqual({ predictionId: 'p-running', status: 'processing', pollAfterSec: 20 });
  });
});
