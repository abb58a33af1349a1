import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import type { UpState } from '../../cli/up-state';
import { type AwsJsonEmulator, startAwsJsonEmulator } from '../../cloud/aws-json/src';
import { startArchiveReplay } from '../src/archive-replay';
import { clientConfig, replayInAws, resolveOpsTarget } from '../src/ops-target';

let emulator: AwsJsonEmulator;
let up: UpState;
const credentials = { accessKeyId: 'local-operator', secretAccessKey: 'local-operator-secret' };

beforeAll(async () => {
  // The EventBridge emulator alone (in-process, no cloud start), recorded as `npm run up` records its cloud.
  emulator = await startAwsJsonEmulator({ invokeLambda: async () => undefined });
  const url = emulator.url;
  up = {
    api: 'http://127.0.0.1:1',
    pid: process.pid,
    cloud: {
      stage: 'local',
      region: emulator.region,
      endpoints: { events: url, sqs: url, s3: url, dynamodb: url, stepfunctions: url },
      credentials,
    },
  };
});
afterAll(async () => {
  await emulator?.close();
});

describe('npm run replay against the running local cloud', () => {
  test('replays a window that ended a moment ago: the AWS ten-minute rule does not apply there', async () => {
    // Prepare: the stage's bus and archive, and one event archived just now.
    const target = resolveOpsTarget({ env: {}, up });
    const events = new EventBridgeClient(clientConfig(target, 'events'));
    const bus = await events.send(new CreateEventBusCommand({ Name: `reelay-${target.stage}` }));
    await events.send(
      new CreateArchiveCommand({
        ArchiveName: `reelay-${target.stage}-archive`,
        EventSourceArn: bus.EventBusArn,
      }),
    );
    const from = new Date(Date.now() - 60_000);
    await events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: `reelay-${target.stage}`, Source: 'reelay.test', DetailType: 'Ping', Detail: '{}' },
        ],
      }),
    );
    const to = new Date(Date.now() + 1);

    // Act
    const result = await startArchiveReplay(events, {
      bus: `reelay-${target.stage}`,
      archive: `reelay-${target.stage}-archive`,
      from,
      to,
      inAws: replayInAws(target),
    });

    // Assess
    expect(result.state).toBe('COMPLETED');
    expect(result.archiveEventCount).toBe(1);
    events.destroy();
  });
});
