import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  InvalidEventPatternException,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  ResourceNotFoundException,
  StartReplayCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { type EmulatorFixture, eventually, startFixture } from './emulator-fixture';

describe('EventBridge emulator through the AWS SDK v3', () => {
  let fixture: EmulatorFixture;

  beforeEach(async () => {
    fixture = await startFixture();
  });

  afterEach(async () => {
    await fixture.close();
  });

  const createQueue = async (name: string) => {
    const queueUrl = (await fixture.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
    const attributes = await fixture.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { queueUrl, queueArn: attributes.Attributes?.QueueArn as string };
  };

  const receive = async (
    queueUrl: string,
    options: { attributes?: boolean } = {},
  ): Promise<Message | undefined> => {
    const response = await fixture.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        WaitTimeSeconds: 2,
        ...(options.attributes ? { MessageAttributeNames: ['All'] } : {}),
      }),
    );
    return response.Messages?.[0];
  };

  const putRule = async (name: string, pattern: object, busName = 'reelay-test') =>
    (
      await fixture.events.send(
        new PutRuleCommand({ Name: name, EventBusName: busName, EventPattern: JSON.stringify(pattern) }),
      )
    ).RuleArn as string;

  const putSceneReady = (detail: object, busName = 'reelay-test') =>
    fixture.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: 'reelay.generator',
            DetailType: 'SceneReady',
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );

  it('delivers a matching event to an SQS target in the AWS envelope', async () => {
    // Prepare
    await fixture.events.send(new CreateEventBusCommand({ Name: 'reelay-test' }));
    const { queueUrl, queueArn } = await createQueue('composer-prepare');
    await putRule('scene-ready', { source: ['reelay.generator'], 'detail-type': ['SceneReady'] });
    await fixture.events.send(
      new PutTargetsCommand({
        Rule: 'scene-ready',
        EventBusName: 'reelay-test',
        Targets: [{ Id: 'q', Arn: queueArn }],
      }),
    );

    // Act
    const put = await fixture.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'reelay-test',
            Source: 'reelay.generator',
            DetailType: 'SceneReady',
            Detail: JSON.stringify({ jobId: 'J1', sceneIndex: 0 }),
            Resources: ['arn:aws:s3:::bucket/jobs/J1'],
            Time: new Date('2026-02-03T04:05:06.789Z'),
          },
        ],
      }),
    );
    const message = await receive(queueUrl);

    // Assess
    expect(put.FailedEntryCount).toBe(0);
    expect(JSON.parse(message?.Body ?? '{}')).toEqual({
      version: '0',
      id: put.Entries?.[0]?.EventId,
      'detail-type': 'SceneReady',
      source: 'reelay.generator',
      account: '000000000000',
      time: '2026-02-03T04:05:06Z',
      region: 'us-east-1',
      resources: ['arn:aws:s3:::bucket/jobs/J1'],
      detail: { jobId: 'J1', sceneIndex: 0 },
    });
  });

  it('shapes the target input with an InputTransformer', async () => {
    // Prepare
    await fixture.events.send(new CreateEventBusCommand({ Name: 'reelay-test' }));
    const { queueUrl, queueArn } = await createQueue('transformed');
    await putRule('transform', { source: ['reelay.generator'] });
    await fixture.events.send(
      new PutTargetsCommand({
        Rule: 'transform',
        EventBusName: 'reelay-test',
        Targets: [
          {
            Id: 't',
            Arn: queueArn,
            InputTransformer: {
              InputPathsMap: { job: '$.detail.jobId', index: '$.detail.sceneIndex', type: '$.detail-type' },
              InputTemplate:
                '{"job": <job>, "scene": <index>, "label": "<type> of <job>", "rule": "<aws.events.rule-name>"}',
            },
          },
        ],
      }),
    );

    // Act
    await putSceneReady({ jobId: 'J2', sceneIndex: 4 });
    const message = await receive(queueUrl);

    // Assess
    expect(JSON.parse(message?.Body ?? '{}')).toEqual({
      job: 'J2',
      scene: 4,
      label: 'SceneReady of J2',
      rule: 'transform',
    });
  });

  it('sends an event it cannot deliver to the target dead-letter queue with the error attributes', async () => {
    // Prepare
    await fixture.events.send(new CreateEventBusCommand({ Name: 'reelay-test' }));
    const { queueArn } = await createQueue('denied-target');
    const { queueUrl: dlqUrl, queueArn: dlqArn } = await createQueue('rule-dlq');
    const ruleArn = await putRule('denied', { source: ['reelay.generator'] });
    await fixture.events.send(
      new PutTargetsCommand({
        Rule: 'denied',
        EventBusName: 'reelay-test',
        Targets: [
          {
            Id: 'q',
            Arn: queueArn,
            DeadLetterConfig: { Arn: dlqArn },
            RetryPolicy: { MaximumRetryAttempts: 2 },
          },
        ],
      }),
    );
    fixture.emulator.events.failDeliveries({
      ruleName: 'denied',
      eventBusName: 'reelay-test',
      errorCode: 'NO_PERMISSIONS',
    });

    // Act
    const put = await putSceneReady({ jobId: 'J3' });
    const dead = await receive(dlqUrl, { attributes: true });

    // Assess
    expect(JSON.parse(dead?.Body ?? '{}').id).toBe(put.Entries?.[0]?.EventId);
    expect(dead?.MessageAttributes?.RULE_ARN?.StringValue).toBe(ruleArn);
    expect(dead?.MessageAttributes?.TARGET_ARN?.StringValue).toBe(queueArn);
    expect(dead?.MessageAttributes?.ERROR_CODE?.StringValue).toBe('NO_PERMISSIONS');
    expect(dead?.MessageAttributes?.ERROR_MESSAGE?.StringValue).toEqual(expect.any(String));
    expect(fixture.emulator.sqs.peekMessages(queueArn)).toHaveLength(0);
    expect(fixture.emulator.events.deliveryCounts()).toEqual([
      expect.objectContaining({ ruleArn, targetId: 'q', delivered: 0, retried: 2, deadLettered: 1 }),
    ]);
  });

  it('dead-letters at once when the target queue does not exist, and counts drops without a DLQ', async () => {
    // Prepare
    await fixture.events.send(new CreateEventBusCommand({ Name: 'reelay-test' }));
    const { queueUrl: dlqUrl, queueArn: dlqArn } = await createQueue('missing-target-dlq');
    await putRule('missing', { source: ['reelay.generator'] });
    await fixture.events.send(
      new PutTargetsCommand({
        Rule: 'missing',
        EventBusName: 'reelay-test',
        Targets: [
          {
            Id: 'with-dlq',
            Arn: 'arn:aws:sqs:us-east-1:000000000000:nowhere',
            DeadLetterConfig: { Arn: dlqArn },
          },
          { Id: 'without-dlq', Arn: 'arn:aws:sqs:us-east-1:000000000000:nowhere' },
        ],
      }),
    );

    // Act
    await putSceneReady({ jobId: 'J4' });
    const dead = await receive(dlqUrl, { attributes: true });

    // Assess
    expect(dead?.MessageAttributes?.ERROR_CODE?.StringValue).toBe('RESOURCE_NOT_FOUND');
    const dropped = await eventually(() =>
      fixture.emulator.events.deliveryCounts().find((counts) => counts.targetId === 'without-dlq'),
    );
    expect(dropped.dropped).toBe(1);
  });

  it('reports invalid PutEvents entries one by one', async () => {
    // Act
    const put = await fixture.events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'reelay.api', DetailType: 'JobRequested', Detail: '{"jobId":"J5"}' },
          { Source: 'reelay.api', DetailType: 'JobRequested', Detail: '[1,2]' },
          { Source: 'reelay.api', Detail: '{}' },
          { Source: 'reelay.api', DetailType: 'JobRequested', Detail: '{}', EventBusName: 'no-such-bus' },
        ],
      }),
    );

    // Assess
    expect(put.FailedEntryCount).toBe(3);
    expect(put.Entries?.[0]?.EventId).toEqual(expect.any(String));
    expect(put.Entries?.[1]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
    expect(put.Entries?.[2]?.ErrorCode).toBe('InvalidArgument');
    expect(put.Entries?.[3]?.ErrorCode).toBe('ResourceNotFoundException');
  });

  it('refuses a PutEvents request over 256 KB as a whole', async () => {
    // Prepare
    const detail = JSON.stringify({ blob: 'x'.repeat(60 * 1024) });

    // Act
    const put = fixture.events.send(
      new PutEventsCommand({
        Entries: Array.from({ length: 5 }, () => ({
          Source: 'reelay.api',
          DetailType: 'Big',
          Detail: detail,
        })),
      }),
    );

    // Assess
    await expect(put).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('throws typed exceptions for a missing rule and a bad pattern', async () => {
    // Act
    const missingRule = fixture.events.send(
      new PutTargetsCommand({
        Rule: 'nope',
        Targets: [{ Id: 'a', Arn: 'arn:aws:sqs:us-east-1:000000000000:q' }],
      }),
    );
    const badPattern = fixture.events.send(
      new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"not-an-array"}' }),
    );

    // Assess
    await expect(missingRule).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(badPattern).rejects.toBeInstanceOf(InvalidEventPatternException);
  });

  it('answers TestEventPattern', async () => {
    // Prepare
    const event = JSON.stringify({
      id: '1',
      account: '000000000000',
      source: 'reelay.api',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      'detail-type': 'JobRequested',
      resources: [],
      detail: { scenes: 5 },
    });

    // Act
    const yes = await fixture.events.send(
      new TestEventPatternCommand({
        EventPattern: '{"detail":{"scenes":[{"numeric":[">",4]}]}}',
        Event: event,
      }),
    );
    const no = await fixture.events.send(
      new TestEventPatternCommand({
        EventPattern: '{"detail":{"scenes":[{"numeric":[">",5]}]}}',
        Event: event,
      }),
    );

    // Assess
    expect(yes.Result).toBe(true);
    expect(no.Result).toBe(false);
  });

  it('archives events and replays a window only to the chosen rules, marked with replay-name', async () => {
    // Prepare
    const bus = await fixture.events.send(new CreateEventBusCommand({ Name: 'reelay-test' }));
    const chosen = await createQueue('chosen');
    const other = await createQueue('other');
    const chosenRuleArn = await putRule('chosen-rule', { source: ['reelay.generator'] });
    await putRule('other-rule', { source: ['reelay.generator'] });
    await fixture.events.send(
      new PutTargetsCommand({
        Rule: 'chosen-rule',
        EventBusName: 'reelay-test',
        Targets: [{ Id: 'q', Arn: chosen.queueArn }],
      }),
    );
    await fixture.events.send(
      new PutTargetsCommand({
        Rule: 'other-rule',
        EventBusName: 'reelay-test',
        Targets: [{ Id: 'q', Arn: other.queueArn }],
      }),
    );
    const archive = await fixture.events.send(
      new CreateArchiveCommand({
        ArchiveName: 'all-generator',
        EventSourceArn: bus.EventBusArn,
        EventPattern: '{"source":["reelay.generator"]}',
      }),
    );
    const windowStart = new Date(Date.now() - 1_000);
    await putSceneReady({ jobId: 'J6', sceneIndex: 0 });
    await putSceneReady({ jobId: 'J6', sceneIndex: 1 });
    await fixture.events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'reelay-test', Source: 'reelay.api', DetailType: 'JobRequested', Detail: '{}' },
        ],
      }),
    );
    for (const queue of [chosen, other]) {
      await receive(queue.queueUrl);
      await receive(queue.queueUrl);
    }
    const described = await fixture.events.send(new DescribeArchiveCommand({ ArchiveName: 'all-generator' }));

    // Act
    await fixture.events.send(
      new StartReplayCommand({
        ReplayName: 'after-fix',
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: windowStart,
        EventEndTime: new Date(Date.now() + 1_000),
        Destination: { Arn: bus.EventBusArn, FilterArns: [chosenRuleArn] },
      }),
    );
    const replay = await eventually(async () => {
      const state = await fixture.events.send(new DescribeReplayCommand({ ReplayName: 'after-fix' }));
      return state.State === 'COMPLETED' ? state : undefined;
    });
    const replayed = [await receive(chosen.queueUrl), await receive(chosen.queueUrl)].map((message) =>
      JSON.parse(message?.Body ?? '{}'),
    );
    const notReplayed = await fixture.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: other.queueUrl, WaitTimeSeconds: 1 }),
    );

    // Assess
    expect(described.EventCount).toBe(2);
    expect(replay.EventLastReplayedTime).toBeInstanceOf(Date);
    expect(replayed.map((event) => event.detail.sceneIndex)).toEqual([0, 1]);
    expect(replayed.every((event) => event['replay-name'] === 'after-fix')).toBe(true);
    expect(notReplayed.Messages).toBeUndefined();
    const after = await fixture.events.send(new DescribeArchiveCommand({ ArchiveName: 'all-generator' }));
    expect(after.EventCount).toBe(2);
  });

  it('puts scheduled events on a rule target at its rate', async () => {
    // Prepare
    const { queueUrl, queueArn } = await createQueue('ticks');
    const rule = await fixture.events.send(
      new PutRuleCommand({ Name: 'sweeper', ScheduleExpression: 'rate(1 second)' }),
    );
    await fixture.events.send(
      new PutTargetsCommand({ Rule: 'sweeper', Targets: [{ Id: 'q', Arn: queueArn }] }),
    );

    // Act
    const message = await receive(queueUrl);

    // Assess
    expect(JSON.parse(message?.Body ?? '{}')).toMatchObject({
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      resources: [rule.RuleArn],
      detail: {},
    });
  });
});
