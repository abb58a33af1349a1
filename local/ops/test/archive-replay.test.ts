import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ReplayWindowError, startArchiveReplay } from '../src/archive-replay';
import { joinRelativeTimes, parseTime, talksToAws, UsageError } from '../src/cli-options';

const untouchable = {
  send: async () => {
    throw new Error('no AWS call expected');
  },
} as unknown as EventBridgeClient;
const now = new Date('2026-11-23T12:00:00.000Z');
const request = { bus: 'reelay-dev', archive: 'reelay-dev-archive', now };

describe('replay', () => {
  test('refuses in AWS a window that ends less than 10 minutes ago, before calling AWS', async () => {
    await expect(
      startArchiveReplay(untouchable, {
        ...request,
        from: new Date('2026-11-23T11:00:00.000Z'),
        to: new Date('2026-11-23T11:55:00.000Z'),
        inAws: true,
      }),
    ).rejects.toThrow(ReplayWindowError);
  });

  test('refuses a window that ends before it starts', async () => {
    await expect(
      startArchiveReplay(untouchable, {
        ...request,
        from: now,
        to: new Date('2026-11-23T11:00:00Z'),
        inAws: false,
      }),
    ).rejects.toThrow('--from must be before --to');
  });

  test('reads ISO or relative times, and names the option of a wrong one', () => {
    expect(parseTime('--from', '2026-11-23T10:00:00Z', now).toISOString()).toBe('2026-11-23T10:00:00.000Z');
    expect(parseTime('--to', '-30m', now).toISOString()).toBe('2026-11-23T11:30:00.000Z');
    expect(() => parseTime('--from', 'yesterday', now)).toThrow(
      new UsageError('--from yesterday is not a time (use ISO 8601, e.g. 2026-11-23T10:00:00Z, or -30m)'),
    );
  });

  test('a relative time after --from or --to is read as its value, not as an option', () => {
    expect(joinRelativeTimes(['--from', '-30m', '--to', '-1m', '--rule', 'r'], ['--from', '--to'])).toEqual([
      '--from=-30m',
      '--to=-1m',
      '--rule',
      'r',
    ]);
    expect(joinRelativeTimes(['--from', '--to', '-1m'], ['--from', '--to'])).toEqual(['--from', '--to=-1m']);
  });

  test('talks to AWS unless an AWS_ENDPOINT_URL variable points elsewhere', () => {
    expect(talksToAws({})).toBe(true);
    expect(talksToAws({ AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:4566' })).toBe(false);
  });
});
