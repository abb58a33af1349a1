import { createPowertools } from '../../src';
import { isBuiltByReelay, withPowertools } from '../../src/handlers';
import { lambdaContext as context, logLines } from '../support/lambda';

// Lambda sets it in every on-demand sandbox (the embedded cloud too); Powertools reads it at construction.
beforeAll(() => {
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
});

describe('withPowertools', () => {
  test('every log line of an invocation carries its request id and cold start, and keys do not leak into the next', async () => {
    // Prepare
    const powertools = createPowertools('test');
    const handler = withPowertools(powertools, async (event: { jobId: string }) => {
      powertools.logger.appendKeys({ jobId: event.jobId });
      powertools.logger.info('working');
      return 'done';
    });
    const second = withPowertools(powertools, async () => {
      powertools.logger.info('second');
    });

    // Act
    const lines = await logLines(async () => {
      await handler({ jobId: 'J1' }, context('req-1'));
      await second({ jobId: 'J2' }, context('req-2'));
    });

    // Assess
    const working = lines.find((l) => l.message === 'working');
    expect(working).toMatchObject({ function_request_id: 'req-1', cold_start: true, jobId: 'J1' });
    const next = lines.find((l) => l.message === 'second');
    expect(next).toMatchObject({ function_request_id: 'req-2', cold_start: false });
    expect(next).not.toHaveProperty('jobId');
  });

  test('a built handler is recognised, a bare function is not', () => {
    const powertools = createPowertools('test');
    expect(isBuiltByReelay(withPowertools(powertools, async () => undefined))).toBe(true);
    expect(isBuiltByReelay(async () => undefined)).toBe(false);
  });
});
