import type { FaultPoint, FaultPointDecision, FaultPointPattern, SandboxFaults } from './fault-points';
import { matchesFaultPoint } from './fault-points';
import { type FaultRecord, matchesName, type NameMatch } from './fault-record';

interface SandboxRule {
  record: FaultRecord;
  functionName: NameMatch;
  /** undefined: the start of the invocation (timeouts only). */
  at: FaultPointPattern | undefined;
  action: 'crash' | 'hang';
  timeoutAfterMs?: number;
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
    const points = rules.flatMap((r) => (r.at === undefined ? [] : [r.at]));
    return points.length > 0 ? { points } : undefined;
  }

  decide(functionName: string, point: FaultPoint): FaultPointDecision {
    for (const rule of this.rules) {
      if (!rule.record.active || rule.at === undefined) continue;
      if (!matchesName(rule.functionName, functionName) || !matchesFaultPoint(rule.at, point)) continue;
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
}
