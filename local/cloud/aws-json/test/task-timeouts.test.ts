import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { NO_TASK_TIMEOUT_SEC, withAwsTaskTimeouts } from '../src/sfn/task-timeouts';

const definition = {
  StartAt: 'Slow',
  States: {
    Slow: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:slow', Next: 'Each' },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: {
        StartAt: 'Inner',
        States: {
          Inner: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:000000000000:function:inner',
            TimeoutSeconds: 5,
            End: true,
          },
        },
      },
      End: true,
    },
  },
} as unknown as StateMachineDefinition;

describe('Task timeouts in the Step Functions emulator', () => {
  it('give a Task without TimeoutSeconds no 60 s limit (as in AWS) and keep the ones a definition names', () => {
    const copy = withAwsTaskTimeouts(definition) as unknown as {
      States: {
        Slow: { TimeoutSeconds: number };
        Each: { ItemProcessor: { States: { Inner: { TimeoutSeconds: number } } } };
      };
    };

    expect(copy.States.Slow.TimeoutSeconds).toBe(NO_TASK_TIMEOUT_SEC);
    expect(NO_TASK_TIMEOUT_SEC * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(copy.States.Each.ItemProcessor.States.Inner.TimeoutSeconds).toBe(5);
    expect(JSON.stringify(definition)).not.toContain(String(NO_TASK_TIMEOUT_SEC));
  });

  it('lets a task that runs longer than 60 s finish, where the library alone fails it with States.Timeout', async () => {
    jest.useFakeTimers();
    try {
      const run = (machine: StateMachineDefinition) => {
        const slow = () =>
          new Promise<{ items: string[] }>((resolve) => setTimeout(() => resolve({ items: [] }), 61_000));
        const execution = new StateMachine(machine, { validationOptions: { noValidate: true } }).run(
          {},
          { overrides: { taskResourceLocalHandlers: { Slow: slow, Inner: async () => ({}) } } },
        );
        return execution.result.then(
          () => 'succeeded',
          (error: Error) => `${error.name}: ${String((error as { cause?: Error }).cause?.name ?? '')}`,
        );
      };
      const withLibraryDefault = run(definition);
      const asInAws = run(withAwsTaskTimeouts(definition));

      await jest.advanceTimersByTimeAsync(62_000);

      expect(await withLibraryDefault).toMatch(/Timeout/);
      expect(await asInAws).toBe('succeeded');
    } finally {
      jest.useRealTimers();
    }
  });
});
