import {
  decodeEvent,
  InvalidEventError,
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
