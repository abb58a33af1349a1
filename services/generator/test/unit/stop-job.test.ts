import { makeJobFailed } from '@reelay/events';
import { isOwnDeadStop } from '../../src/cancellation/stop-job';

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
});
