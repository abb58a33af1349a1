import {
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { type AwsJsonEmulator, startAwsJsonEmulator } from '../../aws-json/src';
import { AccessKeyRegistry, type IssuedCredentials } from '../../src/iam/access-keys';
import { IamGate } from '../../src/iam/iam-gate';
import { jsonGate } from '../../src/iam/json-gate';
import { PolicyEngine } from '../../src/iam/policy-engine';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/api`;
const OWN_PREFIX = `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/reelay/dev/users/*`;

/** The Parameter Store behind the embedded cloud's gate: a role reaches only the parameters its policy names. */
describe('SSM Parameter Store with signature and IAM enforcement', () => {
  let emulator: AwsJsonEmulator;
  let keys: AccessKeyRegistry;
  const ssm = (credentials: IssuedCredentials) =>
    new SSMClient({ region: 'us-east-1', endpoint: emulator.url, credentials });

  beforeAll(async () => {
    keys = new AccessKeyRegistry(ACCOUNT);
    const engine = new PolicyEngine(ACCOUNT);
    engine.setRolePolicies(ROLE, [
      {
        name: 'connections',
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['ssm:PutParameter', 'ssm:GetParameter', 'ssm:DeleteParameter'],
              Resource: OWN_PREFIX,
            },
            {
              Effect: 'Allow',
              Action: 'ssm:GetParametersByPath',
              Resource: [`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/reelay/dev/users`, OWN_PREFIX],
            },
          ],
        },
      },
    ]);
    emulator = await startAwsJsonEmulator({
      region: 'us-east-1',
      accountId: ACCOUNT,
      invokeLambda: async () => undefined,
      gate: jsonGate(new IamGate(keys, engine, { region: 'us-east-1', accountId: ACCOUNT })),
    });
    const operator = ssm(keys.operator);
    await operator.send(
      new PutParameterCommand({ Name: '/reelay/dev/replicate-token', Value: 'r8_x', Type: 'SecureString' }),
    );
    operator.destroy();
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('lets the role write and read SecureStrings under its own prefix', async () => {
    // Prepare
    const client = ssm(keys.issueForFunction('api-fn', ROLE));

    // Act
    await client.send(
      new PutParameterCommand({
        Name: '/reelay/dev/users/u1/youtube/main',
        Value: '{"a":1}',
        Type: 'SecureString',
      }),
    );
    const read = await client.send(
      new GetParameterCommand({ Name: '/reelay/dev/users/u1/youtube/main', WithDecryption: true }),
    );
    const listed = await client.send(
      new GetParametersByPathCommand({ Path: '/reelay/dev/users/u1', Recursive: true }),
    );

    // Assess
    expect(read.Parameter?.Value).toBe('{"a":1}');
    expect(listed.Parameters?.map((p) => p.Name)).toEqual(['/reelay/dev/users/u1/youtube/main']);
    client.destroy();
  });

  it('refuses a parameter outside the prefix with AccessDeniedException in AWS words', async () => {
    // Prepare
    const client = ssm(keys.issueForFunction('api-fn', ROLE));

    // Act
    const refused = await client
      .send(new GetParameterCommand({ Name: '/reelay/dev/replicate-token', WithDecryption: true }))
      .catch((error: unknown) => error as Error);

    // Assess
    expect((refused as Error).name).toBe('AccessDeniedException');
    expect((refused as Error).message).toContain(
      `is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/reelay/dev/replicate-token`,
    );
    client.destroy();
  });
});
