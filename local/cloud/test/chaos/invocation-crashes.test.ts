import type { FaultPoint } from '../../src/chaos/fault-points';
import { FaultRecord } from '../../src/chaos/fault-record';
import { invocationCrashPicker, SandboxFaultRules } from '../../src/chaos/sandbox-fault-rules';

const FN = 'reelay-ledger-test-project';
/** A batch invocation: ten events, a write before and after each. */
const BATCH_POINTS: FaultPoint[] = Array.from({ length: 10 }, (_, i): FaultPoint[] =>
  i % 2 === 0
    ? ['before:dynamodb:UpdateItem', 'after:dynamodb:UpdateItem']
    : ['before:events:PutEvents', 'after:events:PutEvents'],
).flat();

function invocationCrashRules(probability: number, maxPoint: number) {
  const rules = new SandboxFaultRules();
  const record = new FaultRecord('crash-1', 'crash', FN, { times: Number.POSITIVE_INFINITY, probability: 1 });
  rules.add({
    record,
    functionName: FN,
    at: '*:*:*',
    action: 'crash',
    perInvocation: invocationCrashPicker({ probability, seed: 5, maxPoint }),
  });
  return { rules, record };
}

/**
 * Runs one invocation through its points, then ends it; returns the index of the point it crashed
 * at, 'end' when it crashed after its handler returned, undefined when it did not crash.
 */
function invoke(rules: SandboxFaultRules, points = BATCH_POINTS): number | 'end' | undefined {
  const plan = rules.planInvocation(FN);
  for (const [i, point] of points.entries()) if (rules.decide(FN, point, plan).action === 'crash') return i;
  return rules.decideAtEnd(FN, plan).action === 'crash' ? 'end' : undefined;
}

describe('crashes per invocation', () => {
  it('crash the chosen share of invocations, however many side effects each one has', () => {
    // Prepare: 5% of invocations, each with 20 fault points (per point, 5% would crash 64% of them).
    const { rules, record } = invocationCrashRules(0.05, 6);

    // Act
    const crashed = Array.from({ length: 2000 }, () => invoke(rules)).filter((at) => at !== undefined);

    // Assess
    expect(crashed.length).toBeGreaterThan(60);
    expect(crashed.length).toBeLessThan(140);
    expect(record.injected).toBe(crashed.length);
  });

  it('land at a random one of the first maxPoint points, before or after a side effect', () => {
    const { rules } = invocationCrashRules(1, 6);

    const points = new Set(Array.from({ length: 300 }, () => invoke(rules)));

    expect([...points].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('crash an invocation that reaches fewer points than picked once its handler has returned', () => {
    // Prepare: every invocation picked; each reaches two points, most picks are further in.
    const { rules, record } = invocationCrashRules(1, 6);
    const short: FaultPoint[] = ['before:s3:PutObject', 'after:s3:PutObject'];

    // Act
    const crashes = Array.from({ length: 300 }, () => invoke(rules, short));

    // Assess: all crashed, a third at one of the two points, the rest at the end.
    expect(crashes.every((at) => at !== undefined)).toBe(true);
    expect(new Set(crashes)).toEqual(new Set([0, 1, 'end']));
    expect(crashes.filter((at) => at === 'end').length).toBeGreaterThan(150);
    expect(record.injected).toBe(300);
  });

  it('crash the chosen share of invocations that reach few points, too', () => {
    const { rules } = invocationCrashRules(0.05, 6);

    const crashed = Array.from({ length: 2000 }, () => invoke(rules, ['after:sqs:SendMessage'])).filter(
      (at) => at !== undefined,
    );

    expect(crashed.length).toBeGreaterThan(60);
    expect(crashed.length).toBeLessThan(140);
  });

  it('leave the invocations they did not pick alone: nothing to stop at', () => {
    const { rules } = invocationCrashRules(0, 6);

    const plans = Array.from({ length: 50 }, () => rules.planInvocation(FN));

    expect(plans.every((plan) => plan === undefined)).toBe(true);
    expect(rules.decide(FN, 'before:dynamodb:UpdateItem').action).toBe('continue');
    expect(rules.decideAtEnd(FN, undefined).action).toBe('continue');
  });
});
