import { TEST_STAGE } from '../../../../test/support/test-stage';
import { composeOnceTests } from './compose-once';
import { composerFailureTests } from './composer-failures';
import { type ComposerHarness, startComposerHarness } from './composer-harness';
import { earlyTransitionTests } from './early-transitions';

/**
 * The composer's invariants on one embedded cloud: one composition per job (compose-once.ts), then
 * refused media, poison messages and a crash between storing and publishing (composer-failures.ts),
 * then transitions rendered by prepare (early-transitions.ts).
 * Each case has a job of its own and reads only that job's outcomes; a cloud start and its
 * functions' cold starts cost more than most cases. (The timeout and chunking cases need functions
 * configured otherwise: compose-timeout.test.ts and chunked-job.test.ts start their own.)
 */
let shared: ComposerHarness | undefined;

/**
 * A compose request that finds the lease held is queued again to look just past the lease's end, at
 * most 15 s later (README "Composition lease"); with the default minute-long lease each race here
 * left a request waiting 15 s after the video was published, and the cases wait for the cloud to
 * come to rest. The lease is renewed every third of its length while ffmpeg runs, so a short one
 * changes nothing else: a lapsed one only aborts a composition before anything is recorded.
 */
const COMPOSE_LEASE_MS = 6000;

beforeAll(async () => {
  shared = await startComposerHarness({
    stage: TEST_STAGE,
    functionEnv: { COMPOSE_LEASE_MS: String(COMPOSE_LEASE_MS) },
  });
}, 180_000);

afterAll(async () => {
  await shared?.close();
});

const harness = (): ComposerHarness => {
  if (!shared) throw new Error('the embedded cloud did not start');
  return shared;
};

composeOnceTests(harness);
composerFailureTests(harness);
earlyTransitionTests(harness);
