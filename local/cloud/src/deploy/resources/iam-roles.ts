import type { ResolvedProperties, StackScope } from '../stack-scope';
import type { RoleSpec } from '../stack-specs';
import type { CloudFormationResource } from '../template';

/** Every role of the template with its inline policies and the AWS::IAM::Policy resources attached to it. */
export function templateRoles(
  resources: Record<string, CloudFormationResource>,
  scope: StackScope,
  accountId: string,
): RoleSpec[] {
  const roles = new Map<string, RoleSpec>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const p = scope.props(r);
    const name = scope.roleName(id);
    roles.set(name, {
      arn: `arn:aws:iam::${accountId}:role/${name}`,
      name,
      ...(p.AssumeRolePolicyDocument
        ? { trust: p.AssumeRolePolicyDocument as NonNullable<RoleSpec['trust']> }
        : {}),
      policies: ((p.Policies ?? []) as ResolvedProperties[]).map((policy) => ({
        name: String(policy.PolicyName),
        policy: policy.PolicyDocument,
      })),
    });
  }
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const p = scope.props(r);
    for (const attached of (p.Roles ?? []) as string[]) {
      roles.get(String(attached))?.policies.push({
        name: String(p.PolicyName ?? p.ManagedPolicyName ?? 'attached'),
        policy: p.PolicyDocument,
      });
    }
  }
  return [...roles.values()];
}
