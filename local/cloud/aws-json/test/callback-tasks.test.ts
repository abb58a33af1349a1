import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { type DataFolder, throwawayDataFolder } from '../../src/data-folder';
import type { AwsJsonEmulatorOptions } from '../src';
import { type EmulatorFixture, eventually, startFixture } from './emulator-fixture';

const roleArn = 'arn:aws:iam::000000000000:role/local';
const workerArn = 'arn:aws:lambda:us-east-1:000000000000:function:worker';

/** A machine whose one callback task invokes the worker with the task token, then waits for it. */
const callbackMachine = (task: Record<string, unknown> = {}) => ({
  StartAt: 'AwaitWorker',
  States: {
    AwaitWorker: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: workerArn, Payload: { 'job.$': '$.job', 'taskToken.$': '$$.Task.Token' } },
      ResultPath: '$.worker',
      End: true,
      ...task,
    },
  },
});

describe('Step Functions callback tasks (.waitForTaskToken) through the AWS SDK v3', () => {
  let fixture: EmulatorFixture | undefined;
  let folder: DataFolder;
  /** Task tokens the worker was invoked with, in order. */
  let tokens: string[];
  let workerFails: Error | undefined;

  const start = async (options: Partial<AwsJsonEmulatorOptions> = {}) => {
    fixture = await startFixture({
      stateFile: folder.emulatorState,
      invokeLambda: async (_arn, payload) => {
        tokens.push((payload as { taskToken: string }).taskToken);
        if (workerFails) throw workerFails;
        return { accepted: true };
      },
      ...options,
    });
    return fixture;
  };

  beforeEach(() => {
    folder = throwawayDataFolder('callback-tasks');
    tokens = [];
    workerFails = undefined;
  });

  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
    folder.release();
  });

  const run = async (f: EmulatorFixture, definition: object, input: object = { job: 'j1' }) => {
    const { stateMachineArn } = await f.sfn.send(
      new CreateStateMachineCommand({
        name: `callback-${tokens.length}-${Date.now()}`,
        roleArn,
        definition: JSON.stringify(definition),
      }),
    );
    const { executionArn } = await f.sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
    );
    return executionArn as string;
  };
  const nextToken = (count: number) =>
    eventually(() => (tokens.length >= count ? tokens[count - 1] : undefined));
  const finished = (f: EmulatorFixture, executionArn: string): Promise<DescribeExecutionCommandOutput> =>
    eventually(async () => {
      const described = await f.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    }, 10_000);
  const status = async (f: EmulatorFixture, executionArn: string) =>
    (await f.sfn.send(new DescribeExecutionCommand({ executionArn }))).status;

  it('waits for SendTaskSuccess on the token in the payload, takes its output as the result, and refuses the token a second time', async () => {
    // Prepare
    const f = await start();
    // The execution goes on (a 1 s Wait) after the task, so the token is refused as used, not as ended.
    const machine = callbackMachine({ End: undefined, Next: 'Hold' });
    (machine.States as Record<string, unknown>).Hold = { Type: 'Wait', Seconds: 1, End: true };
    const executionArn = await run(f, machine);
    const token = await nextToken(1);

    // Act
    const whileWaiting = await status(f, executionArn);
    await f.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"stored":true}' }));
    const again = await f.sfn
      .send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))
      .catch((error: unknown) => error);
    const stillRunning = await status(f, executionArn);
    const ended = await finished(f, executionArn);

    // Assess
    expect(whileWaiting).toBe('RUNNING');
    expect(stillRunning).toBe('RUNNING');
    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output ?? '{}')).toEqual({ job: 'j1', worker: { stored: true } });
    expect(again).toBeInstanceOf(TaskTimedOut);
  });

  it('fails the task with the error and cause of SendTaskFailure, which Catch matches by name', async () => {
    const f = await start();
    const machine = callbackMachine({
      Catch: [{ ErrorEquals: ['PredictionFailed'], ResultPath: '$.failure', Next: 'Failed' }],
    });
    const states = machine.States as Record<string, Record<string, unknown>>;
    states.Failed = { Type: 'Pass', End: true };
    const executionArn = await run(f, machine);
    const token = await nextToken(1);

    await f.sfn.send(
      new SendTaskFailureCommand({ taskToken: token, error: 'PredictionFailed', cause: 'NSFW content' }),
    );
    const ended = await finished(f, executionArn);

    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output ?? '{}').failure).toEqual({
      Error: 'PredictionFailed',
      Cause: 'NSFW content',
    });
  });

  it('fails with States.Timeout when no heartbeat comes within HeartbeatSeconds, and the token is then TaskTimedOut', async () => {
    const f = await start();
    const executionArn = await run(f, callbackMachine({ HeartbeatSeconds: 1 }));
    const token = await nextToken(1);

    const ended = await finished(f, executionArn);
    const late = f.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));

    expect(ended.status).toBe('FAILED');
    expect(ended.error).toBe('States.Timeout');
    await expect(late).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('keeps a task alive past HeartbeatSeconds while heartbeats come', async () => {
    const f = await start();
    const executionArn = await run(f, callbackMachine({ HeartbeatSeconds: 1 }));
    const token = await nextToken(1);

    for (let beat = 0; beat < 4; beat++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await f.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    }
    const aliveAfterBeats = await status(f, executionArn);
    await f.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '"done"' }));

    expect(aliveAfterBeats).toBe('RUNNING');
    expect((await finished(f, executionArn)).status).toBe('SUCCEEDED');
  });

  it('reads TimeoutSecondsPath from the state input and retries a timed-out task with a new token', async () => {
    const f = await start();
    const executionArn = await run(
      f,
      callbackMachine({
        TimeoutSecondsPath: '$.waitSec',
        Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 1 }],
      }),
      { job: 'j1', waitSec: 1 },
    );
    const first = await nextToken(1);

    const second = await nextToken(2);
    const firstAfterTimeout = f.sfn.send(new SendTaskSuccessCommand({ taskToken: first, output: '{}' }));
    await f.sfn.send(new SendTaskSuccessCommand({ taskToken: second, output: '{"n":2}' }));

    await expect(firstAfterTimeout).rejects.toBeInstanceOf(TaskTimedOut);
    expect(second).not.toBe(first);
    const ended = await finished(f, executionArn);
    expect(JSON.parse(ended.output ?? '{}').worker).toEqual({ n: 2 });
  });

  it('fails the task at once when the function it invokes fails', async () => {
    const f = await start();
    workerFails = Object.assign(new Error('boom'), { name: 'WorkerCrashed' });
    const executionArn = await run(f, callbackMachine());

    const ended = await finished(f, executionArn);

    expect(ended.status).toBe('FAILED');
    expect(ended.error).toBe('WorkerCrashed');
  });

  it('answers InvalidToken for a token it cannot have issued and TaskDoesNotExist for an unknown one', async () => {
    const f = await start();
    const unknown = Buffer.from(
      JSON.stringify({
        v: 1,
        e: 'arn:aws:states:us-east-1:000000000000:execution:callback:gone',
        n: 'b0f0a0f0-0000-4000-8000-000000000000',
      }),
    ).toString('base64url');

    const invalid = f.sfn.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token!', output: '{}' }));
    const missing = f.sfn.send(new SendTaskHeartbeatCommand({ taskToken: unknown }));

    await expect(invalid).rejects.toBeInstanceOf(InvalidToken);
    await expect(missing).rejects.toBeInstanceOf(TaskDoesNotExist);
  });

  it('still refuses a used token after a restart, and a token of an interrupted task too', async () => {
    // Prepare: one task completed, another left waiting when the emulator stops.
    const before = await start();
    const doneArn = await run(before, callbackMachine());
    const used = await nextToken(1);
    await before.sfn.send(new SendTaskSuccessCommand({ taskToken: used, output: '{}' }));
    await finished(before, doneArn);
    await run(before, callbackMachine());
    const interrupted = await nextToken(2);

    // Act
    await before.close();
    const after = await start();
    const usedAgain = after.sfn.send(new SendTaskSuccessCommand({ taskToken: used, output: '{}' }));
    const interruptedAgain = after.sfn.send(
      new SendTaskSuccessCommand({ taskToken: interrupted, output: '{}' }),
    );

    // Assess
    await expect(usedAgain).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(interruptedAgain).rejects.toBeInstanceOf(TaskTimedOut);
  });
});
