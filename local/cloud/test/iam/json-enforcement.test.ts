import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type AwsJsonEmulator, startAwsJsonEmulator } from '../../aws-json/src';
import { AccessKeyRegistry, type IssuedCredentials } from '../../src/iam/access-keys';
import { IamGate } from '../../src/iam/iam-gate';
import { jsonGate } from '../../src/iam/json-gate';
import { PolicyEngine } from '../../src/iam/policy-engine';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/publisher`;

/** The SQS / EventBridge / Step Functions emulator with the embedded cloud's gate, called by real SDK clients. */
describe('the JSON-protocol services with signature and IAM enforcement', () => {
  let emulator: AwsJsonEmulator;
  let keys: AccessKeyRegistry;
  let queueUrl: string;
  const sqs = (credentials: IssuedCredentials) =>
    new SQSClient({ region: 'us-east-1', endpoint: emulator.url, credentials });
  const events = (credentials: IssuedCredentials) =>
    new EventBridgeClient({ region: 'us-east-1', endpoint: emulator.url, credentials });

  beforeAll(async () => {
    keys = new AccessKeyRegistry(ACCOUNT);
    const engine = new PolicyEngine(ACCOUNT);
    engine.setRolePolicies(ROLE, [
      {
        name: 'publish',
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'events:PutEvents',
              Resource: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/reelay-local`,
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
    const client = sqs(keys.operator);
    queueUrl = String((await client.send(new CreateQueueCommand({ QueueName: 'work' }))).QueueUrl);
    client.destroy();
    const operatorEvents = events(keys.operator);
    await operatorEvents.send(new CreateEventBusCommand({ Name: 'reelay-local' }));
    operatorEvents.destroy();
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const errorOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as Error & { $metadata: { httpStatusCode?: number } };
    }
    throw new Error('the request succeeded');
  };

  it('lets a role publish to the bus its policy names', async () => {
    // Prepare
    const client = events(keys.issueForFunction('publisher-fn', ROLE));
    // Act
    const out = await client.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: 'reelay-local', Source: 'reelay.test', DetailType: 'T', Detail: '{}' }],
      }),
    );
    // Assess
    expect(out.FailedEntryCount).toBe(0);
    client.destroy();
  });

  it('answers AccessDeniedException in AWS words for a bus or queue the role lacks', async () => {
    // Prepare
    const credentials = keys.issueForFunction('publisher-fn', ROLE);
    const bus = events(credentials);
    const queue = sqs(credentials);
    // Act
    const toDefault = await errorOf(
      bus.send(new PutEventsCommand({ Entries: [{ Source: 'reelay.test', DetailType: 'T', Detail: '{}' }] })),
    );
    const toQueue = await errorOf(
      queue.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })),
    );
    // Assess
    expect(toDefault.name).toBe('AccessDeniedException');
    expect(toDefault.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/publisher/publisher-fn is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default because no identity-based policy allows the events:PutEvents action`,
    );
    expect(toQueue.$metadata.httpStatusCode).toBe(403);
    expect(toQueue.message).toContain(
      'is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:work',
    );
    bus.destroy();
    queue.destroy();
  });

  it('refuses an unsigned request and one signed with a forged secret', async () => {
    // Prepare
    const forged = sqs({ ...keys.operator, secretAccessKey: 'forged' });
    // Act
    const unsigned = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
      body: JSON.stringify({ QueueUrl: queueUrl, MessageBody: 'x' }),
    });
    const mismatch = await errorOf(
      forged.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' })),
    );
    // Assess
    expect(unsigned.status).toBe(400);
    expect(((await unsigned.json()) as { __type: string }).__type).toContain('MissingAuthenticationToken');
    expect(mismatch.message).toContain('signature we calculated does not match');
    expect(emulator.sqs.peekMessages('work')).toEqual([]);
    forged.destroy();
  });

  it('lets the operator do anything', async () => {
    // Prepare
    const client = sqs(keys.operator);
    // Act
    const sent = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }));
    // Assess
    expect(sent.MessageId).toBeDefined();
    client.destroy();
  });
});
