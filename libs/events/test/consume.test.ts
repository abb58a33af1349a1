import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  consumeEvents,
  decodeEvent,
  InvalidEventError,
  jobRequested,
  MalformedEnvelopeError,
  makeJobRequested,
  makeSceneReady,
  sceneReady,
  UnknownEventTypeError,
  UnknownEventVersionError,
} from '../src';

const envelope = (detailType: string, source: string, detail: unknown) =>
  JSON.stringify({
    version: '0',
    id: 'e-1',
    'detail-type': detailType,
    source,
    account: '0',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  });

const record = (messageId: string, body: string): SQSRecord =>
  ({
    messageId,
    receiptHandle: messageId,
    body,
    attributes: {},
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:0:q',
    awsRegion: 'us-east-1',
  }) as unknown as SQSRecord;

describe('decodeEvent', () => {
  it('returns the typed detail of an expected event', () => {
    const detail = makeSceneReady({ sceneIndex: 2, sceneCount: 3 });

    const decoded = decodeEvent(envelope('SceneReady', 'reelay.generator', detail), [sceneReady]);

    expect(decoded.type).toBe('SceneReady');
    expect(decoded.detail.sceneIndex).toBe(2);
    expect(decoded.envelope.id).toBe('e-1');
  });

  it('rejects a version it does not know', () => {
    const body = envelope('SceneReady', 'reelay.generator', { ...makeSceneReady(), version: 2 });

    expect(() => decodeEvent(body, [sceneReady])).toThrow(UnknownEventVersionError);
  });

  it('rejects an unexpected type, a wrong source, bad JSON and an invalid detail', () => {
    expect(() =>
      decodeEvent(envelope('JobRequested', 'reelay.api', makeJobRequested()), [sceneReady]),
    ).toThrow(UnknownEventTypeError);
    expect(() => decodeEvent(envelope('SceneReady', 'reelay.api', makeSceneReady()), [sceneReady])).toThrow(
      InvalidEventError,
    );
    expect(() => decodeEvent('{not json', [sceneReady])).toThrow(MalformedEnvelopeError);
    expect(() =>
      decodeEvent(
        envelope('SceneReady', 'reelay.generator', { ...makeSceneReady(), key: '../../etc/passwd' }),
        [sceneReady],
      ),
    ).toThrow(InvalidEventError);
  });
});

describe('consumeEvents', () => {
  it('reports only the failing records, so one bad record never fails its neighbours', async () => {
    const handled: string[] = [];
    const handler = consumeEvents([jobRequested], async (event) => {
      if (event.detail.spec.prompt === 'explode') throw new Error('boom');
      handled.push(event.detail.jobId);
    });
    const good = makeJobRequested();
    const event: SQSEvent = {
      Records: [
        record('m1', envelope('JobRequested', 'reelay.api', good)),
        record(
          'm2',
          envelope('JobRequested', 'reelay.api', makeJobRequested({ spec: { prompt: 'explode' } })),
        ),
        record('m3', 'not an event'),
        record('m4', envelope('JobRequested', 'reelay.api', { ...good, version: 9 })),
      ],
    };

    const response = await handler(event, {} as Context);

    expect(handled).toEqual([good.jobId]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m2', 'm3', 'm4']);
  });
});
