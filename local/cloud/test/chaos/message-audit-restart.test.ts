/**
 * The message audit carried across a restart (the chaos soak restarts its whole cloud once): a message
 * still queued when the first emulator stopped is counted as sent in the second, so "every message
 * sent was consumed or dead-lettered" holds over both, and one the restart did not bring back is lost.
 * Two emulators in turn, on one state file as the embedded cloud runs them, with real SDK clients.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { type EmulatorFixture, startFixture } from '../../aws-json/test/emulator-fixture';
import { type AuditHandover, AuditStillOpenError, MessageAudit } from '../../src/chaos/message-audit';
import { type DataFolder, throwawayDataFolder } from '../../src/data-folder';

describe('the message audit across a restart of the cloud on its data folder', () => {
  let folder: DataFolder;
  let otherFolder: DataFolder;
  const fixtures: EmulatorFixture[] = [];

  const start = async (stateFile: string) => {
    const fixture = await startFixture({ stateFile });
    fixtures.push(fixture);
    const audit = new MessageAudit(fixture.emulator.sqs, fixture.emulator.events);
    const queueUrl = await fixture.createQueue('work');
    return { fixture, audit, queueUrl };
  };

  /** First cloud: three messages sent; one consumed, one received (in flight), one waiting. Then stopped. */
  const runFirstCloud = async (): Promise<AuditHandover> => {
    const { fixture, audit, queueUrl } = await start(folder.emulatorState);
    for (const body of ['consumed', 'in-flight', 'waiting'])
      await fixture.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    const first = await fixture.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 2, VisibilityTimeout: 1 }),
    );
    const consumed = first.Messages?.find((m) => m.Body === 'consumed');
    await fixture.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: consumed?.ReceiptHandle }),
    );
    // The embedded cloud closes its injector (and so the audit) before its queues.
    audit.close();
    await fixture.close();
    return audit.handover();
  };

  /** Receives every message of the queue (the in-flight one once its 1 s deadline passed) and deletes it. */
  const consumeAll = async (fixture: EmulatorFixture, queueUrl: string, count: number) => {
    let consumed = 0;
    while (consumed < count) {
      const { Messages = [] } = await fixture.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }),
      );
      if (Messages.length === 0) throw new Error(`only ${consumed} of ${count} messages came back`);
      for (const m of Messages)
        await fixture.sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
        );
      consumed += Messages.length;
    }
  };

  beforeEach(() => {
    folder = throwawayDataFolder('audit-restart');
    otherFolder = throwawayDataFolder('audit-fresh');
  });

  afterEach(async () => {
    for (const fixture of fixtures.splice(0)) await fixture.close().catch(() => undefined);
    folder.release();
    otherFolder.release();
  });

  it('hands over the messages still queued at the stop, and the next cloud accounts for each of them', async () => {
    // Prepare
    const handover = await runFirstCloud();
    expect(handover.messages.map((m) => m.body).sort()).toEqual(['in-flight', 'waiting']);
    expect(handover.report).toMatchObject({ sent: 3, consumed: 1, pending: 2, lost: [] });

    // Act: the second cloud resumes the folder; its consumers take both messages.
    const { fixture, audit, queueUrl } = await start(folder.emulatorState);
    audit.carry(handover);
    await consumeAll(fixture, queueUrl, 2);

    // Assess: summed over both clouds, each message sent once and consumed once.
    expect(audit.report()).toEqual({
      sent: 3,
      consumed: 3,
      pending: 0,
      deadLettered: 0,
      lost: [],
      eventDeliveriesDropped: 0,
      carriedIn: 2,
    });
  });

  it('counts a carried message as consumed when the new cloud consumed it before the handover was carried in', async () => {
    // Prepare
    const handover = await runFirstCloud();
    const { fixture, audit, queueUrl } = await start(folder.emulatorState);

    // Act: the consumers start with the cloud, before the test carries the handover in.
    await consumeAll(fixture, queueUrl, 2);
    audit.carry(handover);

    // Assess
    expect(audit.report()).toMatchObject({ sent: 3, consumed: 3, pending: 0, lost: [] });
  });

  it('reports as lost every carried message a restart did not bring back (a cloud started on another folder)', async () => {
    // Prepare
    const handover = await runFirstCloud();

    // Act: the "restart" resumes nothing.
    const { audit } = await start(otherFolder.emulatorState);
    audit.carry(handover);

    // Assess
    const report = audit.report();
    expect(report.lost.map((l) => l.body).sort()).toEqual(['in-flight', 'waiting']);
    expect(report).toMatchObject({ sent: 3, consumed: 1, pending: 0 });
  });

  it('refuses to hand over the audit of a cloud that is still running', async () => {
    const { audit } = await start(folder.emulatorState);

    expect(() => audit.handover()).toThrow(AuditStillOpenError);
  });
});
