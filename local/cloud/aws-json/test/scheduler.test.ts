import { CreateEventBusCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type DataFolder, throwawayDataFolder } from '../../src/data-folder';
import { type EmulatorFixture, eventually, startFixture } from './emulator-fixture';

const ROLE = 'arn:aws:iam::000000000000:role/reelay-scheduler';
const BUS = 'reelay-sched';
const BUS_ARN = `arn:aws:events:us-east-1:000000000000:event-bus/${BUS}`;
const DAY = 86_400_000;

const schedule = (overrides: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: 'daily-series',
  ScheduleExpression: 'rate(1 day)',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: {
    Arn: BUS_ARN,
    RoleArn: ROLE,
    EventBridgeParameters: { DetailType: 'SeriesRunDue', Source: 'reelay.test' },
    Input:
      '{"seriesId":"s1","scheduledTime":"<aws.scheduler.scheduled-time>","run":"<aws.scheduler.execution-id>"}',
  },
  ...overrides,
});

const errorOf = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the request succeeded');
};

/** EventBridge Scheduler served to the real @aws-sdk/client-scheduler, firing onto a bus. */
describe('the local EventBridge Scheduler', () => {
  let folder: DataFolder;
  let fixture: EmulatorFixture;
  let scheduler: SchedulerClient;
  let queueUrl: string;

  const start = async () => {
    fixture = await startFixture({ stateFile: folder.emulatorState });
    scheduler = new SchedulerClient({
      endpoint: fixture.emulator.schedulerUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await fixture.events.send(new CreateEventBusCommand({ Name: BUS })).catch(() => undefined);
    queueUrl = await fixture.createQueue('schedule-events');
    const attributes = await fixture.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    await fixture.events.send(
      new PutRuleCommand({ Name: 'runs', EventBusName: BUS, EventPattern: '{"source":["reelay.test"]}' }),
    );
    await fixture.events.send(
      new PutTargetsCommand({
        Rule: 'runs',
        EventBusName: BUS,
        Targets: [{ Id: 'q', Arn: attributes.Attributes?.QueueArn as string }],
      }),
    );
    fixture.emulator.resume();
  };
  const stop = async () => {
    scheduler.destroy();
    await fixture.close();
  };
  const receivedEvents = async () => {
    const out = await fixture.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    return (out.Messages ?? []).map((m) => JSON.parse(m.Body as string) as Record<string, unknown>);
  };

  beforeEach(async () => {
    folder = throwawayDataFolder('scheduler');
    await start();
  });
  afterEach(async () => {
    await stop();
    folder.release();
  });

  it('refuses what AWS refuses, with its exception and wording', async () => {
    // Act
    const badRate = await errorOf(
      scheduler.send(new CreateScheduleCommand(schedule({ ScheduleExpression: 'rate(0 days)' }))),
    );
    const plural = await errorOf(
      scheduler.send(new CreateScheduleCommand(schedule({ ScheduleExpression: 'rate(1 days)' }))),
    );
    const seconds = await errorOf(
      scheduler.send(new CreateScheduleCommand(schedule({ ScheduleExpression: 'rate(5 seconds)' }))),
    );
    const bothDays = await errorOf(
      scheduler.send(new CreateScheduleCommand(schedule({ ScheduleExpression: 'cron(0 9 * * MON *)' }))),
    );
    const zone = await errorOf(
      scheduler.send(new CreateScheduleCommand(schedule({ ScheduleExpressionTimezone: 'Mars/Olympus' }))),
    );
    const noWindow = await errorOf(
      scheduler.send(new CreateScheduleCommand({ ...schedule(), FlexibleTimeWindow: undefined } as never)),
    );
    const badName = await errorOf(scheduler.send(new CreateScheduleCommand(schedule({ Name: 'has space' }))));
    const awsSource = await errorOf(
      scheduler.send(
        new CreateScheduleCommand(
          schedule({
            Target: {
              Arn: BUS_ARN,
              RoleArn: ROLE,
              EventBridgeParameters: { DetailType: 'X', Source: 'aws.fake' },
            },
          }),
        ),
      ),
    );
    const otherGroup = await errorOf(
      scheduler.send(new CreateScheduleCommand(schedule({ GroupName: 'nope' }))),
    );
    // Assess
    for (const error of [badRate, plural, seconds, bothDays, zone, noWindow, badName, awsSource])
      expect(error).toBeInstanceOf(ValidationException);
    expect(badRate.message).toBe('Invalid Schedule Expression rate(0 days).');
    expect(noWindow.message).toContain(
      "at 'flexibleTimeWindow' failed to satisfy constraint: Member must not be null",
    );
    expect(otherGroup).toBeInstanceOf(ResourceNotFoundException);
    // Valid AWS cron features (L, W, #, ?, year ranges, steps) are accepted.
    for (const [i, expression] of [
      'cron(0 8 L * ? *)',
      'cron(0 8 15W * ? *)',
      'cron(15 10 ? * 6#3 *)',
      'cron(0/15 9-17 ? * MON-FRI 2026-2030)',
      'at(2030-02-28T09:00:00)',
    ].entries())
      await scheduler.send(
        new CreateScheduleCommand(schedule({ Name: `ok-${i}`, ScheduleExpression: expression })),
      );
  });

  it('creates, reads, lists, updates and deletes a schedule; a second create is a ConflictException', async () => {
    // Act
    const created = await scheduler.send(
      new CreateScheduleCommand(
        schedule({ ScheduleExpression: 'cron(0 9 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris' }),
      ),
    );
    const again = await errorOf(scheduler.send(new CreateScheduleCommand(schedule())));
    await scheduler.send(
      new UpdateScheduleCommand({ ...schedule({ ScheduleExpression: 'rate(2 hours)' }), State: 'DISABLED' }),
    );
    const read = await scheduler.send(new GetScheduleCommand({ Name: 'daily-series' }));
    const listed = await scheduler.send(new ListSchedulesCommand({ NamePrefix: 'daily' }));
    await scheduler.send(new DeleteScheduleCommand({ Name: 'daily-series' }));
    const gone = await errorOf(scheduler.send(new GetScheduleCommand({ Name: 'daily-series' })));
    // Assess
    expect(created.ScheduleArn).toBe(
      'arn:aws:scheduler:us-east-1:000000000000:schedule/default/daily-series',
    );
    expect(again).toBeInstanceOf(ConflictException);
    expect(again.message).toBe('Schedule daily-series already exists.');
    expect(read).toMatchObject({
      ScheduleExpression: 'rate(2 hours)',
      State: 'DISABLED',
      GroupName: 'default',
    });
    expect(read.CreationDate).toBeInstanceOf(Date);
    expect(listed.Schedules?.map((s) => s.Name)).toEqual(['daily-series']);
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone.message).toBe('Schedule daily-series does not exist.');
  });

  it('fires a cron schedule at its time in its own time zone, in order, as the moved clock passes each occurrence', async () => {
    // Prepare: 09:00 in Paris every day (UTC+1 in winter), and a disabled one that must never fire.
    await scheduler.send(
      new CreateScheduleCommand(
        schedule({ ScheduleExpression: 'cron(0 9 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris' }),
      ),
    );
    await scheduler.send(new CreateScheduleCommand({ ...schedule({ Name: 'paused' }), State: 'DISABLED' }));
    // Act
    const fired = await fixture.emulator.scheduler.advanceClock(3 * DAY);
    // Assess: three firings, each at 09:00 Paris time, with the scheduled time substituted in the event.
    expect(fired.map((f) => f.name)).toEqual(['daily-series', 'daily-series', 'daily-series']);
    for (const f of fired) {
      const hourInParis = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Paris',
        hour: '2-digit',
        minute: '2-digit',
      }).format(new Date(f.scheduledTime));
      expect(hourInParis).toBe('09:00');
      expect(f.error).toBeUndefined();
    }
    const times = fired.map((f) => Date.parse(f.scheduledTime));
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBe(DAY);
    const events: Array<Record<string, unknown>> = [];
    await eventually(async () => {
      events.push(...(await receivedEvents()));
      return events.length >= 3 ? true : undefined;
    });
    expect(events).toHaveLength(3);
    expect(events.map((e) => (e.detail as { scheduledTime: string }).scheduledTime).sort()).toEqual(
      fired.map((f) => f.scheduledTime),
    );
    expect(events[0]).toMatchObject({ source: 'reelay.test', 'detail-type': 'SeriesRunDue' });
    expect((events[0]?.detail as { run?: string } | undefined)?.run).toMatch(/^[0-9a-f]{16}$/);
  });

  it('fires a rate schedule at once and then once per interval, and fires a schedule on demand', async () => {
    // Prepare
    await scheduler.send(new CreateScheduleCommand(schedule()));
    // Act: AWS starts a rate schedule without a StartDate at once; the next run is a day later.
    const [first] = await eventually(() => {
      const fired = fixture.emulator.scheduler.invocations();
      return fired.length > 0 ? fired : undefined;
    });
    const restOfDay = await fixture.emulator.scheduler.advanceClock(DAY - 60_000);
    const nextDay = await fixture.emulator.scheduler.advanceClock(60_000);
    const now = await fixture.emulator.scheduler.fireNow('daily-series');
    // Assess
    expect(restOfDay).toHaveLength(0);
    expect(nextDay).toHaveLength(1);
    expect(Date.parse(nextDay[0]?.scheduledTime ?? '') - Date.parse(first?.scheduledTime ?? '')).toBe(DAY);
    expect(now.error).toBeUndefined();
    const delivered: unknown[] = [];
    await eventually(async () => {
      delivered.push(...(await receivedEvents()));
      return delivered.length >= 3 ? true : undefined;
    });
    expect(delivered).toHaveLength(3);
  });

  it('keeps its schedules across a restart and does not fire again what it already fired', async () => {
    // Prepare: created and fired once before the restart.
    await scheduler.send(new CreateScheduleCommand(schedule()));
    await fixture.emulator.scheduler.advanceClock(1_000);
    expect(fixture.emulator.scheduler.invocations()).toHaveLength(1);
    // Act
    await stop();
    await start();
    const read = await scheduler.send(new GetScheduleCommand({ Name: 'daily-series' }));
    const soon = await fixture.emulator.scheduler.advanceClock(60_000);
    const nextDay = await fixture.emulator.scheduler.advanceClock(DAY);
    // Assess
    expect(read.ScheduleExpression).toBe('rate(1 day)');
    expect(soon).toHaveLength(0);
    expect(nextDay).toHaveLength(1);
    // Nothing else fired after the restart (neither the timer nor the clock fired day one again).
    expect(fixture.emulator.scheduler.invocations()).toHaveLength(1);
  });
});
