import type {
  FaultPoint,
  FaultPointDecision,
  FaultPointPattern,
  InvocationFaultPlan,
  SandboxFaults,
} from './fault-points';
import { matchesFaultPoint } from './fault-points';
import { type FaultRecord, matchesName, type NameMatch } from './fault-record';
import { FaultTrigger, seededRandom } from './fault-trigger';

export interface SandboxRule {
  record: FaultRecord;
  functionName: NameMatch;
  /** undefined: the start of the invocation (timeouts only). */
  at: FaultPointPattern | undefined;
  action: 'crash' | 'hang';
  timeoutAfterMs?: number;
  /**
   * Crashes per invocation: this picks the invocations that crash (its probability is per invocation),
   * and `pointsBeforeCrash()` how many matching points such an invocation passes before it dies.
   */
  perInvocation?: { selector: FaultTrigger; pointsBeforeCrash: () => number };
}

/**
 * Picks the invocations that crash (`probability` per invocation, from `seed`) and, for each, how many
 * matching points it passes first: uniform in 0..maxPoint-1, so the crash lands at a random one of its
 * first `maxPoint` side effects (before or after), or at its end when it reaches fewer: every picked
 * invocation crashes, so `probability` is the share of invocations that do.
 */
export function invocationCrashPicker(options: {
  probability: number;
  seed: number;
  maxPoint: number;
}): NonNullable<SandboxRule['perInvocation']> {
  const pickPoint = seededRandom(options.seed + 1);
  return {
    selector: new FaultTrigger({
      probability: options.probability,
      seed: options.seed,
      times: Number.POSITIVE_INFINITY,
    }),
    pointsBeforeCrash: () => Math.floor(pickPoint() * options.maxPoint),
  };
}

/** Crashes and timeouts of Lambda invocations, decided in the parent for every sandbox of a function. */
export class SandboxFaultRules implements SandboxFaults {
  private readonly rules: SandboxRule[] = [];

  add(rule: SandboxRule): void {
    this.rules.push(rule);
  }

  planInvocation(functionName: string) {
    const rules = this.rules.filter((r) => r.record.active && matchesName(r.functionName, functionName));
    if (rules.length === 0) return undefined;
    for (const rule of rules) {
      if (rule.at === undefined && rule.record.trigger.fire())
        return {
          points: [],
          hangAtStart: true,
          ...(rule.timeoutAfterMs === undefined ? {} : { timeoutAfterMs: rule.timeoutAfterMs }),
        };
    }
    const crashes: NonNullable<InvocationFaultPlan['crashes']> = [];
    const points: FaultPointPattern[] = [];
    for (const rule of rules) {
      if (rule.at === undefined) continue;
      if (rule.perInvocation) {
        // Only the invocations picked to crash stop at this rule's points.
        if (!rule.perInvocation.selector.fire()) continue;
        crashes.push({ faultId: rule.record.id, pointsBeforeCrash: rule.perInvocation.pointsBeforeCrash() });
      }
      points.push(rule.at);
    }
    if (points.length === 0) return undefined;
    return crashes.length > 0 ? { points, crashes } : { points };
  }

  decide(functionName: string, point: FaultPoint, plan?: InvocationFaultPlan): FaultPointDecision {
    for (const rule of this.rules) {
      if (!rule.record.active || rule.at === undefined) continue;
      if (!matchesName(rule.functionName, functionName) || !matchesFaultPoint(rule.at, point)) continue;
      if (rule.perInvocation) {
        const chosen = plan?.crashes?.find((c) => c.faultId === rule.record.id);
        if (!chosen) continue;
        if (chosen.pointsBeforeCrash-- > 0) continue;
        if (!rule.record.trigger.fire()) continue;
        return { action: 'crash', faultId: rule.record.id };
      }
      if (!rule.record.trigger.fire()) continue;
      if (rule.action === 'crash') return { action: 'crash', faultId: rule.record.id };
      return {
        action: 'hang',
        faultId: rule.record.id,
        ...(rule.timeoutAfterMs === undefined ? {} : { timeoutAfterMs: rule.timeoutAfterMs }),
      };
    }
    return { action: 'continue' };
  }

  decideAtEnd(functionName: string, plan?: InvocationFaultPlan): FaultPointDecision {
    for (const chosen of plan?.crashes ?? []) {
      const rule = this.rules.find((r) => r.record.id === chosen.faultId);
      if (!rule?.record.active || !matchesName(rule.functionName, functionName)) continue;
      if (!rule.record.trigger.fire()) continue;
      return { action: 'crash', faultId: rule.record.id };
    }
    return { action: 'continue' };
  }
}
