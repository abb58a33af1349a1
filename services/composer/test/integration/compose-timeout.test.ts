import { GetQueueUrlCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { EmbeddedCloud } from '../../../../local/cloud/src/embedded-cloud';
import { TEST_STAGE } from '../../../../test/support/test-stage';
import { SceneSet } from '../../src/scenes/scene-set';
import { type ComposerHarness, startComposerHarness } from './composer-harness';

const STAGE = TEST_STAGE;

/**
 * Invariant 2 for the composer: a composer that runs out of time gives its lease back, is retried
 * and finally dead-lettered to JobFailed(stage=compose). The compose function here stops ffmpeg
 * at once (safety margin = its timeout, no minimum run). It has its own embedded cloud: after the other failure
 * tests in one cloud, its JobFailed did not arrive within minutes on a loaded machine.
 */
describe('the composer under failure', () => {
  let harness: ComposerHarness;
  let cloud: EmbeddedCloud;
  const outcomes: ComposerHarness['outcomes'] = (...args) => harness.outcomes(...args);
  const storedScene: ComposerHarness['storedScene'] = (...args) => harness.storedScene(...args);
  const publish: ComposerHarness['publish'] = (scenes) => harness.publish(scenes);

  beforeAll(async () => {
    harness = await startComposerHarness({
      stage: STAGE,
      // No time at all for ffmpeg: with the static build a 2-scene compose fits in 0.5 s, so a
      // timeout that depended on the machine being slow did not fire.
      functionEnv: { COMPOSE_SAFETY_MARGIN_MS: String(900_000), COMPOSE_MIN_RUN_MS: '0' },
    });
    cloud = harness.cloud;
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('a composer that exceeds its time gives its lease back, is retried and ends in JobFailed(compose)', async () => {
    // Prepare: retries come back after 1 s instead of the queue's 90 minutes.
    const { QueueUrl } = await cloud.clients.sqs.send(
      new GetQueueUrlCommand({ QueueName: `reelay-${STAGE}-composer-compose` }),
    );
    await cloud.clients.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '1' } }),
    );
    // Load the compose and dead-letter sandboxes first: a cold start on a busy machine takes longer
    // than the 1 s visibility, and would turn retries into a pile of cold starts.
    await Promise.all(
      ['compose', 'deadLetters'].map((name) =>
        cloud.functions
          .get(`reelay-composer-${STAGE}-${name}`)
          ?.invoke({ Records: [] })
          .catch(() => undefined),
      ),
    );
    const jobId = ulid();
    // Act
    await publish([await storedScene(jobId, 0, 2), await storedScene(jobId, 1, 2)]);
    // A cold sandbox on a busy 2-core machine can take a minute and more to load the handler.
    const [failed, ...more] = await outcomes(jobId, 400_000);
    // Assess
    expect(failed).toMatchObject({
      type: 'JobFailed',
      detail: { stage: 'compose', code: 'DEAD_LETTER', meta: { userId: 'user-test' } },
    });
    expect(Number(failed?.detail.attempts)).toBeGreaterThanOrEqual(2);
    expect(more).toHaveLength(0);
    const job = await new SceneSet(
      DynamoDBDocumentClient.from(cloud.clients.dynamodb),
      `reelay-composer-${STAGE}`,
    ).get(jobId);
    expect(job?.leaseOwner).toBeUndefined();
    expect(job?.publishedAt).toBeUndefined();
  }, 460_000);
});
