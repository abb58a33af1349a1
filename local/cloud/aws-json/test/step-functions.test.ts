import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  InvalidDefinition,
  ListExecutionsCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type EmulatorFixture, eventually, startFixture } from './emulator-fixture';

const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const roleArn = 'arn:aws:iam::000000000000:role/local';

class ProviderThrottledError extends Error {
  override name = 'ProviderThrottledError';
}

class PredictionFailedError extends Error {
  override name = 'PredictionFailedError';
}

describe('Step Functions emulator through the AWS SDK v3', () => {
  let fixture: EmulatorFixture;
  const calls: Array<{ arn: string; payload: unknown }> = [];
  let functions: Record<string, (payload: unknown) => Promise<unknown>> = {};

  beforeEach(async () => {
    calls.length = 0;
    functions = {};
    fixture = await startFixture({
      invokeLambda: async (arn, payload) => {
        calls.push({ arn, payload });
        const run = functions[arn];
        if (!run) throw new Error(`no function ${arn}`);
        return run(payload);
      },
    });
  });

  afterEach(async () => {
    await fixture.close();
  });

  const createMachine = async (name: string, definition: object) =>
    (
      await fixture.sfn.send(
        new CreateStateMachineCommand({ name, roleArn, definition: JSON.stringify(definition) }),
      )
    ).stateMachineArn as string;

  const finished = (executionArn: string): Promise<DescribeExecutionCommandOutput> =>
    eventually(async () => {
      const described = await fixture.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    });

  it('runs a Task, Wait, Choice, Succeed machine with Lambda task handlers', async () => {
    // Prepare
    functions[lambdaArn('check-prediction')] = async (payload) => ({ ...(payload as object), done: true });
    const machineArn = await createMachine('RenderScene', {
      StartAt: 'CheckPrediction',
      States: {
        CheckPrediction: { Type: 'Task', Resource: lambdaArn('check-prediction'), Next: 'WaitForPoll' },
        WaitForPoll: { Type: 'Wait', Seconds: 1, Next: 'IsDone' },
        IsDone: {
          Type: 'Choice',
          Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Stored' }],
          Default: 'CheckPrediction',
        },
        Stored: { Type: 'Succeed' },
      },
    });

    // Act
    const started = await fixture.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArn,
        name: 'J1-0-1',
        input: JSON.stringify({ jobId: 'J1' }),
      }),
    );
    const result = await finished(started.executionArn as string);
    const history = await fixture.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: started.executionArn }),
    );

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? 'null')).toEqual({ jobId: 'J1', done: true });
    expect(result.stopDate).toBeInstanceOf(Date);
    expect(calls).toEqual([{ arn: lambdaArn('check-prediction'), payload: { jobId: 'J1' } }]);
    expect(history.events?.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('starts one execution per name: the same input returns it, another input is ExecutionAlreadyExists', async () => {
    // Prepare
    functions[lambdaArn('slow')] = () => new Promise((resolve) => setTimeout(() => resolve({}), 300));
    const machineArn = await createMachine('Slow', {
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: lambdaArn('slow'), End: true } },
    });
    const first = await fixture.sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'J2-0-1', input: '{"a":1}' }),
    );

    // Act
    const again = await fixture.sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'J2-0-1', input: '{"a":1}' }),
    );
    const different = fixture.sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'J2-0-1', input: '{"a":2}' }),
    );

    // Assess
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    await expect(different).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    const listed = await fixture.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));
    expect(listed.executions).toHaveLength(1);
  });

  it('aborts a running execution with StopExecution', async () => {
    // Prepare
    functions[lambdaArn('after-wait')] = async () => ({});
    const machineArn = await createMachine('Waiting', {
      StartAt: 'Sleep',
      States: {
        Sleep: { Type: 'Wait', Seconds: 1, Next: 'AfterWait' },
        AfterWait: { Type: 'Task', Resource: lambdaArn('after-wait'), End: true },
      },
    });
    const started = await fixture.sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn }));

    // Act
    await fixture.sfn.send(
      new StopExecutionCommand({
        executionArn: started.executionArn,
        error: 'JobCancelled',
        cause: 'user cancelled',
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const described = await fixture.sfn.send(
      new DescribeExecutionCommand({ executionArn: started.executionArn }),
    );
    const history = await fixture.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: started.executionArn }),
    );

    // Assess
    expect(described).toMatchObject({ status: 'ABORTED', error: 'JobCancelled', cause: 'user cancelled' });
    expect(calls).toEqual([]);
    expect(history.events?.at(-1)?.type).toBe('ExecutionAborted');
  });

  it('fails on a task error and delivers the status change event to a queue via a default-bus rule', async () => {
    // Prepare
    functions[lambdaArn('create-prediction')] = async () => {
      throw new PredictionFailedError('model refused the prompt');
    };
    const queueUrl = (await fixture.sqs.send(new CreateQueueCommand({ QueueName: 'render-failures' })))
      .QueueUrl as string;
    await fixture.events.send(
      new PutRuleCommand({
        Name: 'render-failed',
        EventPattern: JSON.stringify({
          source: ['aws.states'],
          'detail-type': ['Step Functions Execution Status Change'],
          detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
        }),
      }),
    );
    await fixture.events.send(
      new PutTargetsCommand({
        Rule: 'render-failed',
        Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:render-failures' }],
      }),
    );
    const machineArn = await createMachine('Failing', {
      StartAt: 'Create',
      States: { Create: { Type: 'Task', Resource: lambdaArn('create-prediction'), End: true } },
    });

    // Act
    const started = await fixture.sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'J3-1-1', input: '{"jobId":"J3"}' }),
    );
    const result = await finished(started.executionArn as string);
    const received = await fixture.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 2 }),
    );
    const event = JSON.parse(received.Messages?.[0]?.Body ?? '{}');

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('PredictionFailedError');
    expect(JSON.parse(result.cause ?? '{}')).toEqual({
      errorMessage: 'model refused the prompt',
      errorType: 'PredictionFailedError',
    });
    expect(event).toMatchObject({
      version: '0',
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      resources: [started.executionArn],
      detail: {
        executionArn: started.executionArn,
        stateMachineArn: machineArn,
        name: 'J3-1-1',
        status: 'FAILED',
        input: '{"jobId":"J3"}',
        inputDetails: { included: true },
        output: null,
        outputDetails: null,
        error: 'PredictionFailedError',
      },
    });
    expect(event.detail.startDate).toEqual(expect.any(Number));
    expect(event.detail.stopDate).toBeGreaterThanOrEqual(event.detail.startDate);
    expect(received.Messages).toHaveLength(1);
  });

  it('retries a task on its named error and catches another by name', async () => {
    // Prepare
    let attempts = 0;
    functions[lambdaArn('create-prediction')] = async () => {
      attempts++;
      if (attempts < 3) throw new ProviderThrottledError('429 from provider');
      throw new PredictionFailedError('bad output');
    };
    const machineArn = await createMachine('Retrying', {
      StartAt: 'Create',
      States: {
        Create: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'create-prediction', 'Payload.$': '$' },
          Retry: [
            { ErrorEquals: ['ProviderThrottledError'], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 3 },
          ],
          Catch: [{ ErrorEquals: ['PredictionFailedError'], ResultPath: '$.failure', Next: 'Recorded' }],
          End: true,
        },
        Recorded: { Type: 'Pass', End: true },
      },
    });

    // Act
    const started = await fixture.sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, input: '{"jobId":"J4"}' }),
    );
    const result = await finished(started.executionArn as string);

    // Assess
    expect(attempts).toBe(3);
    expect(calls.every((call) => call.arn === lambdaArn('create-prediction'))).toBe(true);
    expect(result.status).toBe('SUCCEEDED');
    const output = JSON.parse(result.output ?? '{}');
    expect(output.failure.Error).toBe('PredictionFailedError');
    expect(JSON.parse(output.failure.Cause)).toEqual({
      errorMessage: 'bad output',
      errorType: 'PredictionFailedError',
    });
  });

  it('times out an execution that exceeds the machine TimeoutSeconds', async () => {
    // Prepare
    const machineArn = await createMachine('TooSlow', {
      TimeoutSeconds: 1,
      StartAt: 'Sleep',
      States: { Sleep: { Type: 'Wait', Seconds: 30, End: true } },
    });

    // Act
    const started = await fixture.sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn }));
    const result = await finished(started.executionArn as string);

    // Assess
    expect(result.status).toBe('TIMED_OUT');
  });

  it('refuses an invalid definition with InvalidDefinition', async () => {
    // Act
    const creation = fixture.sfn.send(
      new CreateStateMachineCommand({
        name: 'Broken',
        roleArn,
        definition: JSON.stringify({ StartAt: 'Nowhere', States: {} }),
      }),
    );

    // Assess
    await expect(creation).rejects.toBeInstanceOf(InvalidDefinition);
  });
});
