import { makeJobFailed } from '@reelay/events';
import { isOwnDeadStop, type StopJobDeps, stopJob } from '../../src/cancellation/stop-job';

describe('stopping a job on JobFailed', () => {
  it('does not act again on the JobFailed its own dead stop message became (no loop)', () => {
    const ownDeadStop = makeJobFailed({
      code: 'DEAD_LETTER',
      reason:
        'a message for reelay-dev-generator-stop-job failed 4 time(s) and was dead-lettered in reelay-dev-generator-stop-job-dlq',
    });
    const otherDeadLetter = makeJobFailed({
      code: 'DEAD_LETTER',
      reason:
        'a message for reelay-dev-generator-render failed 4 time(s) and was dead-lettered in reelay-dev-generator-render-dlq',
    });

    expect(isOwnDeadStop(ownDeadStop)).toBe(true);
    expect(isOwnDeadStop(otherDeadLetter)).toBe(false);
    expect(isOwnDeadStop(makeJobFailed({ stage: 'cancel', code: 'CANCELLED' }))).toBe(false);
  });

  it('stops nothing for a retryable dead letter: the redrive needs the other scenes to keep rendering', async () => {
    // Prepare: ports that record every call.
    const calls: string[] = [];
    const deps = {
      sfn: {
        send: async () => {
          calls.push('sfn');
          return { executions: [] };
        },
      },
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:render',
      replicate: { predictions: {} },
      claims: {
        jobClaims: async () => {
          calls.push('claims');
          return [];
        },
        recordOutcome: async () => undefined,
      },
      cancellations: { markCancelled: async () => void calls.push('marker') },
    } as unknown as StopJobDeps;
    const deadLetter = makeJobFailed({ stage: 'prepare', code: 'DEAD_LETTER', retryable: true });

    // Act
    const retryable = await stopJob(deadLetter, deps);
    const afterRetryable = [...calls];
    await stopJob(makeJobFailed({ stage: 'cancel', code: 'CANCELLED', retryable: false }), deps);

    // Assess
    expect(retryable).toEqual({ stoppedExecutions: [], cancelledPredictions: [] });
    expect(afterRetryable).toEqual([]);
    expect(calls).toContain('marker');
  });
});
