import type { IamGate } from './iam-gate';

/**
 * A schedule invokes its target as its role: the role must trust scheduler.amazonaws.com and allow
 * events:PutEvents on the bus (AWS drops the invocation, or dead-letters it, when either fails).
 * Undefined when it may, else why not.
 */
export async function authorizeScheduleTarget(
  iam: IamGate,
  roleArn: string,
  busArn: string,
): Promise<string | undefined> {
  if (!iam.engine.hasRole(roleArn)) return `The role ${roleArn} does not exist.`;
  if (!iam.engine.trustsService(roleArn, 'scheduler.amazonaws.com'))
    return `EventBridge Scheduler cannot assume ${roleArn}: its trust policy does not name scheduler.amazonaws.com.`;
  const roleName = roleArn.split('/').pop() ?? roleArn;
  const decision = await iam.authorize(
    {
      kind: 'role',
      roleArn,
      roleName,
      sessionName: 'scheduler',
      arn: `arn:aws:sts::${iam.scope.accountId}:assumed-role/${roleName}/scheduler`,
    },
    { action: 'events:PutEvents', resource: busArn },
  );
  return decision.allowed ? undefined : decision.message;
}
