import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { type AwsJsonEmulator, startAwsJsonEmulator } from '../../aws-json/src';
import { AccessKeyRegistry, type IssuedCredentials } from '../../src/iam/access-keys';
import { IamGate } from '../../src/iam/iam-gate';
import { jsonGate } from '../../src/iam/json-gate';
import { PolicyEngine } from '../../src/iam/policy-engine';
import { authorizeScheduleTarget } from '../../src/iam/schedule-target-access';

const ACCOUNT = '000000000000';
const API_ROLE = `arn:aws:iam::${ACCOUNT}:role/api`;
const SCHEDULES_ONLY_ROLE = `arn:aws:iam::${ACCOUNT}:role/no-pass-role`;
const TARGET_ROLE = `arn:aws:iam::${ACCOUNT}:role/scheduler-target`;
const UNTRUSTED_ROLE = `arn:aws:iam::${ACCOUNT}:role/lambda-only`;
const BUS_ARN = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/reelay-local`;
const SCHEDULES = `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/default/series-*`;

const putEventsPolicy = {
  name: 'put',
  policy: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS_ARN }],
  },
};
const trust = (service: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
});

const schedule = (name: string, roleArn: string): CreateScheduleCommandInput => ({
  Name: name,
  ScheduleExpression: 'cron(0 9 * * ? *)',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: {
    Arn: BUS_ARN,
    RoleArn: roleArn,
    EventBridgeParameters: { DetailType: 'SeriesRunDue', Source: 'reelay.api' },
  },
});

/** The Scheduler API and its firings under the embedded cloud's SigV4 + IAM, called by the real client. */
describe('EventBridge Scheduler with signature and IAM enforcement', () => {
  let emulator: AwsJsonEmulator;
  let keys: AccessKeyRegistry;
  const client = (credentials: IssuedCredentials) =>
    new SchedulerClient({ region: 'us-east-1', endpoint: emulator.schedulerUrl, credentials });
  const errorOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('the request succeeded');
  };

  beforeAll(async () => {
    keys = new AccessKeyRegistry(ACCOUNT);
    const engine = new PolicyEngine(ACCOUNT);
    engine.setRolePolicies(API_ROLE, [
      {
        name: 'schedules',
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
              Resource: SCHEDULES,
            },
            {
              Effect: 'Allow',
              Action: 'iam:PassRole',
              Resource: [TARGET_ROLE, UNTRUSTED_ROLE],
              // As the api's template grants it: passing the role to the Scheduler only.
              Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
            },
          ],
        },
      },
    ]);
    engine.setRolePolicies(SCHEDULES_ONLY_ROLE, [
      {
        name: 'schedules',
        policy: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'scheduler:*', Resource: SCHEDULES }],
        },
      },
    ]);
    engine.setRolePolicies(TARGET_ROLE, [putEventsPolicy]);
    engine.setRoleTrust(TARGET_ROLE, trust('scheduler.amazonaws.com'));
    engine.setRolePolicies(UNTRUSTED_ROLE, [putEventsPolicy]);
    engine.setRoleTrust(UNTRUSTED_ROLE, trust('lambda.amazonaws.com'));
    const iam = new IamGate(keys, engine, { region: 'us-east-1', accountId: ACCOUNT });
    emulator = await startAwsJsonEmulator({
      region: 'us-east-1',
      accountId: ACCOUNT,
      invokeLambda: async () => undefined,
      gate: jsonGate(iam),
      authorizeScheduleTarget: (roleArn, busArn) => authorizeScheduleTarget(iam, roleArn, busArn),
    });
    const events = new EventBridgeClient({
      region: 'us-east-1',
      endpoint: emulator.url,
      credentials: keys.operator,
    });
    await events.send(new CreateEventBusCommand({ Name: 'reelay-local' }));
    events.destroy();
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('refuses an unsigned request and a schedule outside the role’s resources', async () => {
    // Prepare
    const api = client(keys.issueForFunction('api-fn', API_ROLE));
    const anonymous = new SchedulerClient({
      region: 'us-east-1',
      endpoint: emulator.schedulerUrl,
      credentials: { accessKeyId: 'AKIANOBODY', secretAccessKey: 'x' },
    });
    // Act
    const unknownKey = await errorOf(
      anonymous.send(new CreateScheduleCommand(schedule('series-a', TARGET_ROLE))),
    );
    const outside = await errorOf(api.send(new CreateScheduleCommand(schedule('other-a', TARGET_ROLE))));
    // Assess
    expect(unknownKey.name).toBe('UnrecognizedClientException');
    expect(outside.name).toBe('AccessDeniedException');
    expect(outside.message).toContain('scheduler:CreateSchedule');
    api.destroy();
    anonymous.destroy();
  });

  it('asks iam:PassRole for the target role of the caller that creates the schedule', async () => {
    // Prepare
    const withoutPassRole = client(keys.issueForFunction('no-pass-fn', SCHEDULES_ONLY_ROLE));
    const api = client(keys.issueForFunction('api-fn', API_ROLE));
    // Act
    const refused = await errorOf(
      withoutPassRole.send(new CreateScheduleCommand(schedule('series-b', TARGET_ROLE))),
    );
    const created = await api.send(new CreateScheduleCommand(schedule('series-b', TARGET_ROLE)));
    // Assess
    expect(refused.name).toBe('AccessDeniedException');
    expect(refused.message).toContain('iam:PassRole');
    expect(created.ScheduleArn).toContain('schedule/default/series-b');
    await api.send(new DeleteScheduleCommand({ Name: 'series-b' }));
    withoutPassRole.destroy();
    api.destroy();
  });

  it('puts the event on the bus only as a role that trusts scheduler.amazonaws.com and may put there', async () => {
    // Prepare
    const api = client(keys.issueForFunction('api-fn', API_ROLE));
    await api.send(new CreateScheduleCommand(schedule('series-trusted', TARGET_ROLE)));
    await api.send(new CreateScheduleCommand(schedule('series-untrusted', UNTRUSTED_ROLE)));
    // Act
    const trusted = await emulator.scheduler.fireNow('series-trusted');
    const untrusted = await emulator.scheduler.fireNow('series-untrusted');
    // Assess
    expect(trusted.error).toBeUndefined();
    expect(untrusted.error).toContain('does not name scheduler.amazonaws.com');
    api.destroy();
  });
});
