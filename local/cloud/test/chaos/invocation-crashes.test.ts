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

/** Runs one invocation through its points; returns the index of the point it crashed at, if any. */
function invoke(rules: SandboxFaultRules): number | undefined {
  const plan = rules.planInvocation(FN);
  for (const [i, point] of BATCH_POINTS.entries())
    if (rules.decide(FN, point, plan).action === 'crash') return i;
  return undefined;
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

  it('leave the invocations they did not pick alone: nothing to stop at', () => {
    const { rules } = invocationCrashRules(0, 6);

    const plans = Array.from({ length: 50 }, () => rules.planInvocation(FN));

    expect(plans.every((plan) => plan === undefined)).toBe(true);
    expect(rules.decide(FN, 'before:dynamodb:UpdateItem').action).toBe('continue');
  });
});
