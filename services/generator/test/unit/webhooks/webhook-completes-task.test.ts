/**
 * The webhook wakes RenderScene up: it completes the AwaitPrediction task whose token is on the claim,
 * through the real SFN client against the embedded Step Functions emulator (callback pattern).
 */
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { makeScenePlanned } from '@reelay/events';
import { Webhook } from 'standardwebhooks';
import {
  type EmulatorFixture,
  eventually,
  startFixture,
} from '../../../../../local/cloud/aws-json/test/emulator-fixture';
import type { Claim, ClaimKey, PredictionOutcome } from '../../../src/rendering/prediction-claims';
import { handleReplicateWebhook, type WebhookDeps } from '../../../src/webhooks/handle-replicate-webhook';

const secret = `whsec_${Buffer.from('a-test-signing-key-of-some-length').toString('base64')}`;
const claimToken = '0d6c3c55-5f3e-4a8e-9a57-3b8f5b6a0c11';
const checkArn = 'arn:aws:lambda:us-east-1:000000000000:function:checkPrediction';

describe('a verified webhook of an ended prediction', () => {
  let fixture: EmulatorFixture;
  let taskTokens: string[];

  beforeEach(async () => {
    taskTokens = [];
    // The check function here only hands the token over, as checkPrediction records it on the claim.
    fixture = await startFixture({
      invokeLambda: async (_arn, payload) => {
        taskTokens.push((payload as { taskToken: string }).taskToken);
        return null;
      },
    });
  });
  afterEach(() => fixture.close());

  /** An execution waiting in an AwaitPrediction task as RenderScene's, and the claim holding its token. */
  async function waitingScene(attempt: number, maxAttemptsLeft: boolean) {
    const scene = makeScenePlanned({ model: 'wan-video/wan-2.2-t2v-fast', attempt: 1 });
    const { stateMachineArn } = await fixture.sfn.send(
      new CreateStateMachineCommand({
        name: `render-${Date.now()}-${attempt}`,
        roleArn: 'arn:aws:iam::000000000000:role/local',
        definition: JSON.stringify({
          StartAt: 'AwaitPrediction',
          States: {
            AwaitPrediction: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
              Parameters: {
                FunctionName: checkArn,
                Payload: { 'state.$': '$', 'taskToken.$': '$$.Task.Token' },
              },
              ResultPath: '$.prediction',
              End: true,
            },
          },
        }),
      }),
    );
    const { executionArn } = await fixture.sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ scene, attempt }) }),
    );
    const taskToken = await eventually(() => taskTokens[0]);
    const key: ClaimKey = { jobId: scene.jobId, sceneIndex: scene.sceneIndex, attempt };
    const outcomes: PredictionOutcome[] = [];
    const claim: Claim = {
      ...key,
      token: claimToken,
      claimedAt: new Date().toISOString(),
      createStartedAt: new Date().toISOString(),
      predictionId: 'p-1',
      scene,
      taskToken,
    };
    const deps = {
      secret,
      deliveries: { seen: async () => false, record: async () => true },
      claims: {
        get: async () => claim,
        recordPrediction: async () => undefined,
        recordOutcome: async (_k: ClaimKey, outcome: PredictionOutcome) => {
          outcomes.push(outcome);
        },
      },
      cancellations: { isCancelled: async () => false, recordIgnored: async () => undefined },
      sfn: fixture.sfn,
      pollIntervalSec: 2,
      maxAttempts: maxAttemptsLeft ? 2 : 1,
    } satisfies WebhookDeps;
    return { scene, executionArn: executionArn as string, deps, outcomes };
  }

  const deliver = (
    prediction: object,
    scene: { jobId: string; sceneIndex: number },
    attempt: number,
    deps: WebhookDeps,
    id = 'msg_1',
  ) => {
    const rawBody = JSON.stringify(prediction);
    const at = new Date();
    return handleReplicateWebhook(
      {
        rawBody,
        headers: {
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': new Webhook(secret).sign(id, at, rawBody),
        },
        query: {
          jobId: scene.jobId,
          sceneIndex: String(scene.sceneIndex),
          attempt: String(attempt),
          claim: claimToken,
        },
      },
      deps,
    );
  };
  const ended = (executionArn: string): Promise<DescribeExecutionCommandOutput> =>
    eventually(async () => {
      const described = await fixture.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    });

  it('completes the waiting task with the succeeded prediction, and a second delivery finds it closed', async () => {
    // Prepare
    const { scene, executionArn, deps, outcomes } = await waitingScene(1, true);
    const succeeded = {
      id: 'p-1',
      status: 'succeeded',
      output: 'https://replicate.delivery/x.mp4',
      metrics: {},
    };

    // Act
    const outcome = await deliver(succeeded, scene, 1, deps);
    const execution = await ended(executionArn);
    const again = await deliver(succeeded, scene, 1, deps, 'msg_2');

    // Assess
    expect(outcome).toBe('completed');
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? '{}').prediction).toMatchObject({
      predictionId: 'p-1',
      status: 'succeeded',
    });
    expect(outcomes[0]).toMatchObject({ status: 'succeeded' });
    expect(again).toBe('task-closed');
  });

  it('fails the task with PredictionFailed and the reason when the prediction failed with no attempt left', async () => {
    const { scene, executionArn, deps } = await waitingScene(1, false);

    const outcome = await deliver(
      { id: 'p-1', status: 'failed', error: 'NSFW content detected', metrics: {} },
      scene,
      1,
      deps,
    );
    const execution = await ended(executionArn);

    expect(outcome).toBe('completed');
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('PredictionFailed');
    expect(execution.cause).toBe('NSFW content detected');
  });

  it('asks for the next attempt when the prediction failed and an attempt is left', async () => {
    const { scene, executionArn, deps } = await waitingScene(1, true);

    await deliver({ id: 'p-1', status: 'failed', error: 'CUDA out of memory', metrics: {} }, scene, 1, deps);
    const execution = await ended(executionArn);

    expect(JSON.parse(execution.output ?? '{}').prediction).toMatchObject({
      status: 'retry',
      nextAttempt: 2,
    });
  });
});
