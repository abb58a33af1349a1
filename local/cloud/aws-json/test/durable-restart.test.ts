import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DescribeArchiveCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { type DataFolder, throwawayDataFolder } from '../../src/data-folder';
import type { AwsJsonEmulatorOptions } from '../src';
import { type EmulatorFixture, eventually, startFixture } from './emulator-fixture';

const roleArn = 'arn:aws:iam::000000000000:role/local';
const renderArn = 'arn:aws:lambda:us-east-1:000000000000:function:render';

describe('the emulator keeps its state in its state file across a restart', () => {
  let folder: DataFolder;
  let fixture: EmulatorFixture | undefined;

  const start = async (options: Partial<AwsJsonEmulatorOptions> = {}) => {
    fixture = await startFixture({ stateFile: folder.emulatorState, ...options });
    return fixture;
  };
  const restart = async (options: Partial<AwsJsonEmulatorOptions> = {}) => {
    await fixture?.close();
    return start(options);
  };

  beforeEach(() => {
    folder = throwawayDataFolder('emulator-restart');
  });

  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
    folder.release();
  });

  it('redelivers an in-flight SQS message after its visibility deadline, with its receive count, and keeps the visible one', async () => {
    // Prepare: one message received (in flight for 1 s), one never received.
    const before = await start();
    const queueUrl = await before.createQueue('jobs');
    await before.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'in-flight' }));
    const received = await before.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 1, WaitTimeSeconds: 0 }),
    );
    expect(received.Messages?.[0]?.Body).toBe('in-flight');
    await before.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'waiting' }));

    // Act: restart; the deploy creates the queue again.
    const after = await restart();
    const urlAfter = await after.createQueue('jobs');
    const first = await after.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: urlAfter, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const second = await after.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: urlAfter,
        WaitTimeSeconds: 5,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );

    // Assess: the visible one at once; the in-flight one once its deadline passed, received twice.
    expect(first.Messages?.map((m) => m.Body)).toEqual(['waiting']);
    expect(second.Messages?.[0]?.Body).toBe('in-flight');
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('forgets a deleted SQS message', async () => {
    const before = await start();
    const queueUrl = await before.createQueue('jobs');
    await before.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'done' }));
    const received = await before.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    await before.emulator.sqs.deleteMessage(queueUrl, received.Messages?.[0]?.ReceiptHandle ?? '');

    const after = await restart();
    await after.createQueue('jobs');

    expect(after.emulator.sqs.peekMessages('jobs')).toEqual([]);
  });

  it('runs a RUNNING execution again from its input under the same ARN and start date, and keeps ended ones', async () => {
    // Prepare: one execution ends, another is stopped mid-task by the restart.
    const definition = JSON.stringify({
      StartAt: 'Render',
      States: { Render: { Type: 'Task', Resource: renderArn, End: true } },
    });
    let release: (value: unknown) => void = () => undefined;
    const before = await start({
      invokeLambda: (_arn, payload) =>
        (payload as { hang?: boolean }).hang
          ? new Promise((resolve) => {
              release = resolve;
            })
          : Promise.resolve({ rendered: 'before' }),
    });
    const machine = async (f: EmulatorFixture) =>
      (await f.sfn.send(new CreateStateMachineCommand({ name: 'render-scene', roleArn, definition })))
        .stateMachineArn as string;
    const machineArn = await machine(before);
    const ended = await before.sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'ended', input: '{}' }),
    );
    const interrupted = await before.sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name: 'interrupted', input: '{"hang":true}' }),
    );
    const describe = (f: EmulatorFixture, executionArn: string | undefined) =>
      f.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const finished = (f: EmulatorFixture, arn: string | undefined) =>
      eventually<DescribeExecutionCommandOutput>(async () => {
        const described = await describe(f, arn);
        return described.status === 'RUNNING' ? undefined : described;
      });
    await finished(before, ended.executionArn);
    const startedAt = (await describe(before, interrupted.executionArn)).startDate;

    // Act: restart, deploy the machine again, resume.
    const invoked: unknown[] = [];
    const after = await restart({
      invokeLambda: async (_arn, payload) => {
        invoked.push(payload);
        return { rendered: 'after' };
      },
    });
    await machine(after);
    const resumed = after.emulator.resume();
    const result = await finished(after, interrupted.executionArn);

    // Assess
    expect(resumed).toEqual([interrupted.executionArn]);
    expect(invoked).toEqual([{ hang: true }]);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toBe('{"rendered":"after"}');
    expect(result.startDate).toEqual(startedAt);
    const endedAfter = await describe(after, ended.executionArn);
    expect(endedAfter.status).toBe('SUCCEEDED');
    expect(endedAfter.output).toBe('{"rendered":"before"}');
    release(undefined);
  });

  it('delivers, once, an event it accepted and had not yet delivered to its target queue when it stopped', async () => {
    // Prepare: a bus whose rule sends every event to a queue (what the deploy creates each start).
    const deploy = async (f: EmulatorFixture) => {
      const queueUrl = await f.createQueue('composer-prepare');
      await f.events.send(new CreateEventBusCommand({ Name: 'reelay' }));
      await f.events.send(
        new PutRuleCommand({
          Name: 'scene-ready',
          EventBusName: 'reelay',
          EventPattern: JSON.stringify({ source: ['reelay.generator'] }),
        }),
      );
      await f.events.send(
        new PutTargetsCommand({
          Rule: 'scene-ready',
          EventBusName: 'reelay',
          Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:composer-prepare' }],
        }),
      );
      return queueUrl;
    };
    const before = await start();
    await deploy(before);
    // PutEvents accepts the event, and the emulator stops before the delivery's turn comes (a kill).
    const accepted = before.emulator.events.putEvents([
      { EventBusName: 'reelay', Source: 'reelay.generator', DetailType: 'SceneReady', Detail: '{"n":1}' },
    ]);
    expect(accepted).toEqual([{ EventId: expect.any(String) }]);

    // Act: restart, deploy again, resume.
    const after = await restart();
    const queueUrl = await deploy(after);
    after.emulator.resume();
    const delivered = await after.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }),
    );
    await eventually(() => (after.emulator.events.pendingDeliveries() === 0 ? true : undefined));
    const more = await after.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );

    // Assess: the event reached the queue once, as it was accepted.
    expect(delivered.Messages?.map((m) => JSON.parse(m.Body ?? '{}'))).toEqual([
      expect.objectContaining({ id: (accepted[0] as { EventId: string }).EventId, detail: { n: 1 } }),
    ]);
    expect(more.Messages ?? []).toEqual([]);
  });

  it('keeps an archive’s events for the archive created again', async () => {
    const deploy = async (f: EmulatorFixture) => {
      const { EventBusArn } = await f.events.send(new CreateEventBusCommand({ Name: 'reelay' }));
      await f.events.send(new CreateArchiveCommand({ ArchiveName: 'all', EventSourceArn: EventBusArn }));
    };
    const before = await start();
    await deploy(before);
    await before.events.send(
      new PutEventsCommand({
        Entries: [1, 2, 3].map((n) => ({
          EventBusName: 'reelay',
          Source: 'reelay.test',
          DetailType: 'Numbered',
          Detail: JSON.stringify({ n }),
        })),
      }),
    );

    const after = await restart();
    await deploy(after);

    const archive = await after.events.send(new DescribeArchiveCommand({ ArchiveName: 'all' }));
    expect(archive.EventCount).toBe(3);
  });
});
