import type { Context } from 'aws-lambda';
import { createPowertools } from '../../src';
import { isBuiltByReelay, withPowertools } from '../../src/handlers';

const context = (awsRequestId: string): Context =>
  ({
    awsRequestId,
    functionName: 'reelay-test-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:reelay-test-fn',
    memoryLimitInMB: '128',
    getRemainingTimeInMillis: () => 10_000,
  }) as Context;

/** The JSON log lines the handler wrote to stdout while `act` ran. */
async function logLines(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await act();
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

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
