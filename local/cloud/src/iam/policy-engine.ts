import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { Principal } from './access-keys';

/** An IAM policy document as the template holds it (intrinsics already resolved). */
export interface PolicyDocument {
  Version?: string;
  Statement: unknown[] | unknown;
}

/** One thing a request does, as IAM sees it: an action on a resource, with the condition keys it sets. */
export interface IamRequest {
  action: string;
  /** The resource ARN, or "*" for actions that take none (sqs:ListQueues, states:SendTaskSuccess). */
  resource: string;
  /** Service condition keys this request sets (s3:prefix, ...). */
  context?: Record<string, string | string[]>;
}

export type Decision =
  | { allowed: true }
  | { allowed: false; explicit: boolean; message: string; action: string; resource: string };

/** The simulator refused the question itself: the emulator mapped a request to an impossible action or ARN. */
export class IamMappingError extends Error {}

/**
 * Decides whether a principal may do an IamRequest, with @cloud-copilot/iam-simulate (AWS's policy
 * evaluation logic, conditions included) over the role's identity policies from the deployed
 * templates. Decisions are cached per (role, action, resource, condition values): the simulator
 * takes milliseconds, and a job makes thousands of identical calls.
 */
export class PolicyEngine {
  private readonly roles = new Map<string, Array<{ name: string; policy: PolicyDocument }>>();
  private readonly cache = new Map<string, Promise<Decision>>();
  private readonly trust = new Map<string, PolicyDocument>();

  constructor(readonly accountId: string) {}

  /** Sets (or replaces) a role's identity policies, as CloudFormation does when it deploys the role. */
  setRolePolicies(roleArn: string, policies: Array<{ name: string; policy: PolicyDocument }>): void {
    this.roles.set(roleArn, policies);
    this.cache.clear();
  }

  /** A role's identity policies as deployed (a test takes a permission away, then puts them back). */
  rolePolicies(roleArn: string): Array<{ name: string; policy: PolicyDocument }> {
    return [...(this.roles.get(roleArn) ?? [])];
  }

  /** Sets a role's trust policy (who may assume it), as CloudFormation does when it deploys the role. */
  setRoleTrust(roleArn: string, trust: PolicyDocument | undefined): void {
    if (trust) this.trust.set(roleArn, trust);
    else this.trust.delete(roleArn);
  }

  /**
   * Whether a role's trust policy lets an AWS service (scheduler.amazonaws.com) assume it: an Allow
   * statement for sts:AssumeRole whose Principal.Service names the service. Conditions are not read.
   */
  trustsService(roleArn: string, service: string): boolean {
    const statements = this.trust.get(roleArn)?.Statement;
    const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
    return list.some((raw) => {
      const statement = raw as { Effect?: string; Action?: unknown; Principal?: { Service?: unknown } };
      const actions = ([] as unknown[]).concat(statement.Action ?? []);
      const services = ([] as unknown[]).concat(statement.Principal?.Service ?? []);
      return (
        statement.Effect === 'Allow' &&
        actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*') &&
        services.includes(service)
      );
    });
  }

  hasRole(roleArn: string): boolean {
    return this.roles.has(roleArn);
  }

  authorize(principal: Principal, request: IamRequest): Promise<Decision> {
    if (principal.kind === 'operator') return Promise.resolve({ allowed: true });
    const key = JSON.stringify([
      principal.roleArn,
      request.action,
      request.resource,
      sortedEntries(request.context),
    ]);
    let decision = this.cache.get(key);
    if (!decision) {
      decision = this.evaluate(principal, request);
      this.cache.set(key, decision);
      // A mapping error is not a decision: do not keep it.
      decision.catch(() => this.cache.delete(key));
    }
    return decision;
  }

  /** Every request must be allowed; the first denial is the answer (as S3's CopyObject needs both sides). */
  async authorizeAll(principal: Principal, requests: readonly IamRequest[]): Promise<Decision> {
    for (const request of requests) {
      const decision = await this.authorize(principal, request);
      if (!decision.allowed) return decision;
    }
    return { allowed: true };
  }

  private async evaluate(
    principal: Extract<Principal, { kind: 'role' }>,
    request: IamRequest,
  ): Promise<Decision> {
    const simulation: Simulation = {
      identityPolicies: (this.roles.get(principal.roleArn) ?? []).map(({ name, policy }) => ({
        name,
        policy: policy as never,
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action: request.action,
        principal: principal.arn,
        resource: { accountId: this.accountId, resource: request.resource },
        contextVariables: { ...(request.context ?? {}) },
      },
    } as Simulation;
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error')
      throw new IamMappingError(
        `cannot evaluate ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`,
      );
    if (result.overallResult === 'Allowed') return { allowed: true };
    const explicit = result.overallResult === 'ExplicitlyDenied';
    return {
      allowed: false,
      explicit,
      action: request.action,
      resource: request.resource,
      message: `User: ${principal.arn} is not authorized to perform: ${request.action} on resource: ${request.resource} because ${
        explicit
          ? 'of an explicit deny in an identity-based policy'
          : `no identity-based policy allows the ${request.action} action`
      }`,
    };
  }
}

function sortedEntries(context: IamRequest['context']): unknown[] {
  return Object.entries(context ?? {}).sort(([a], [b]) => a.localeCompare(b));
}
