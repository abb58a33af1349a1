import { makeJobFailed, makeVideoComposed } from '../src';
import { claimWins, type TerminalEvent, terminalClaim } from '../src/terminal-outcome';

const meta = (occurredAt: string) => ({ userId: 'u', correlationId: 'c', occurredAt });
const composedAt = (t: string): TerminalEvent => ({
  type: 'VideoComposed',
  detail: makeVideoComposed({ meta: meta(t) }),
});
const failedAt = (t: string, overrides: Parameters<typeof makeJobFailed>[0] = {}): TerminalEvent => ({
  type: 'JobFailed',
  detail: makeJobFailed({ meta: meta(t), ...overrides }),
});
const cancelAt = (t: string) => failedAt(t, { stage: 'cancel', code: 'CANCELLED' });
const deadLetterAt = (t: string) => failedAt(t, { stage: 'plan', code: 'DEAD_LETTER', retryable: true });

/** The winner of a set of terminal events, applying claimWins in the given arrival order. */
function winner(arrivals: TerminalEvent[]): TerminalEvent | undefined {
  let kept: { event: TerminalEvent; key: string } | undefined;
  for (const event of arrivals) {
    const claim = terminalClaim(event);
    if (claimWins(claim, kept?.key)) kept = { event, key: claim.key };
  }
  return kept?.event;
}

describe('the terminal outcome rule', () => {
  test('the event that happened first wins, whichever arrives first', () => {
    const cancel = cancelAt('2026-12-05T10:00:00.000Z');
    const composed = composedAt('2026-12-05T10:00:01.000Z');

    expect(winner([cancel, composed])).toBe(cancel);
    expect(winner([composed, cancel])).toBe(cancel);
    const lateCancel = cancelAt('2026-12-05T10:00:02.000Z');
    expect(winner([lateCancel, composed])).toBe(composed);
    expect(winner([composed, lateCancel])).toBe(composed);
  });

  test('a video composed at the same millisecond as a failure wins', () => {
    const composed = composedAt('2026-12-05T10:00:00.000Z');
    const timeout = failedAt('2026-12-05T10:00:00Z', { stage: 'timeout', code: 'DEADLINE_EXCEEDED' });

    expect(winner([timeout, composed])).toBe(composed);
    expect(winner([composed, timeout])).toBe(composed);
  });

  test('any decisive event replaces a dead-letter failure, even one that happened before it', () => {
    const deadLetter = deadLetterAt('2026-12-05T10:00:05.000Z');
    const composed = composedAt('2026-12-05T10:00:09.000Z');
    const cancel = cancelAt('2026-12-05T10:00:07.000Z');

    expect(winner([deadLetter, composed])).toBe(composed);
    expect(winner([composed, deadLetter])).toBe(composed);
    expect(winner([deadLetter, cancel, composed])).toBe(cancel);
  });

  test('a retryable cancel or timeout is still decisive', () => {
    expect(
      terminalClaim(failedAt('2026-12-05T10:00:00Z', { stage: 'timeout', retryable: true })).decisive,
    ).toBe(true);
    expect(terminalClaim(deadLetterAt('2026-12-05T10:00:00Z')).decisive).toBe(false);
  });

  test('a duplicate or replay of the winner changes nothing', () => {
    const composed = composedAt('2026-12-05T10:00:00.000Z');
    const claim = terminalClaim(composed);

    expect(claimWins(claim, claim.key)).toBe(false);
    expect(claimWins(claim, undefined)).toBe(true);
  });

  test('times written with other precisions compare by the instant they name', () => {
    const early = cancelAt('2026-12-05T10:00:00Z');
    const late = composedAt('2026-12-05T10:00:00.5Z');

    expect(winner([late, early])).toBe(early);
  });
});
