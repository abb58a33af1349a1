import type { EventBridgeClient, PutEventsCommand, PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import {
  EventPublisher,
  EventTooLargeError,
  makeScenePlanned,
  outgoing,
  PublishFailedError,
  SOURCES,
  scenePlanned,
} from '../src';

/** A stand-in for EventBridge that records requests and rejects entries as told. */
function fakeEventBridge(
  reject: (entry: NonNullable<PutEventsCommandInput['Entries']>[number], call: number) => boolean,
) {
  const calls: PutEventsCommandInput[] = [];
  const client = {
    send: async (command: PutEventsCommand) => {
      const input = command.input;
      calls.push(input);
      const entries = (input.Entries ?? []).map((e) =>
        reject(e, calls.length)
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }
          : { EventId: 'id' },
      );
      return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
    },
  } as unknown as EventBridgeClient;
  return { client, calls };
}

const publisherWith = (client: EventBridgeClient) =>
  new EventPublisher({
    client,
    busName: 'reelay-test',
    source: SOURCES.generator,
    sleep: async () => undefined,
  });

describe('EventPublisher', () => {
  it('sends at most 10 entries per PutEvents request', async () => {
    const { client, calls } = fakeEventBridge(() => false);
    const scenes = Array.from({ length: 23 }, (_, i) =>
      makeScenePlanned({ sceneIndex: i % 12, sceneCount: 12 }),
    );

    await publisherWith(client).publishAll(scenes.map((s) => outgoing(scenePlanned, s)));

    expect(calls.map((c) => c.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls[0]?.Entries?.[0]).toMatchObject({
      Source: 'reelay.generator',
      DetailType: 'ScenePlanned',
      EventBusName: 'reelay-test',
    });
  });

  it('retries only the entries EventBridge rejected', async () => {
    const { client, calls } = fakeEventBridge(
      (entry, call) => call === 1 && JSON.parse(entry.Detail ?? '{}').sceneIndex === 1,
    );
    const scenes = [0, 1, 2].map((i) => makeScenePlanned({ sceneIndex: i, sceneCount: 3 }));

    await publisherWith(client).publishAll(scenes.map((s) => outgoing(scenePlanned, s)));

    expect(calls).toHaveLength(2);
    expect(calls[1]?.Entries?.map((e) => JSON.parse(e.Detail ?? '{}').sceneIndex)).toEqual([1]);
  });

  it('fails with a retryable error when entries keep being rejected', async () => {
    const { client, calls } = fakeEventBridge(() => true);

    const publishing = publisherWith(client).publish(scenePlanned, makeScenePlanned());

    await expect(publishing).rejects.toBeInstanceOf(PublishFailedError);
    expect(calls).toHaveLength(5);
  });

  it('refuses a detail over 256 KB before calling EventBridge', async () => {
    const { client, calls } = fakeEventBridge(() => false);
    const publisher = publisherWith(client);
    // Every real schema caps its fields below the limit, so a test-only definition pads the detail past it.
    const bigDefinition = {
      ...scenePlanned,
      schema: scenePlanned.schema.transform((s) => ({ ...s, padding: 'p'.repeat(300_000) })),
    };

    await expect(
      publisher.publish(bigDefinition as never, makeScenePlanned() as never),
    ).rejects.toBeInstanceOf(EventTooLargeError);
    expect(calls).toHaveLength(0);
  });

  it('refuses to publish an event this service does not own', async () => {
    const { client } = fakeEventBridge(() => false);
    const apiPublisher = new EventPublisher({ client, busName: 'b', source: SOURCES.api });

    await expect(apiPublisher.publish(scenePlanned, makeScenePlanned())).rejects.toThrow(
      'reelay.api may not publish ScenePlanned',
    );
  });

  it('validates the detail before sending it', async () => {
    const { client, calls } = fakeEventBridge(() => false);

    await expect(
      publisherWith(client).publish(scenePlanned, { ...makeScenePlanned(), sceneIndex: 5, sceneCount: 2 }),
    ).rejects.toThrow();
    expect(calls).toHaveLength(0);
  });
});
