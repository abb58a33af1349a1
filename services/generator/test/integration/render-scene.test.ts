import { modelFaultTests } from './prediction-faults';
import { type RenderCloud, startRenderCloud } from './render-harness';
import { claimAndWebhookTests } from './webhooks-and-claims';

/**
 * RenderScene on the embedded cloud: model faults (prediction-faults.ts), then claims and webhooks
 * (webhooks-and-claims.ts), on one cloud. Each case marks its prompts and faults with its own marker
 * and reads only its own job's events and predictions, so the cases do not see each other's work.
 */
let shared: RenderCloud | undefined;

beforeAll(async () => {
  shared = await startRenderCloud();
}, 240_000);

afterAll(async () => {
  await shared?.close();
});

const renderCloud = (): RenderCloud => {
  if (!shared) throw new Error('the embedded cloud did not start');
  return shared;
};

modelFaultTests(renderCloud);
claimAndWebhookTests(renderCloud);
