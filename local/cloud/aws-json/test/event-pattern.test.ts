import {
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
} from '../src/events/event-pattern';

const event = {
  version: '0',
  id: 'e1',
  'detail-type': 'SceneReady',
  source: 'reelay.generator',
  account: '000000000000',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:s3:::bucket/jobs/1'],
  detail: {
    jobId: '01JOB',
    sceneIndex: 3,
    costUsd: 0.25,
    kind: 'video',
    provider: 'Replicate',
    nullable: null,
    empty: '',
    tags: ['fast', 'hd'],
    sourceIp: '10.0.1.20',
    outputs: [
      { format: 'mp4', bytes: 100 },
      { format: 'webm', bytes: 90 },
    ],
    meta: { userId: 'user-1', correlationId: 'c-1' },
  },
};

const matches = (pattern: object) => matchesEventPattern(parseEventPattern(JSON.stringify(pattern)), event);

describe('EventBridge event pattern matching', () => {
  it('matches exact values, with an array meaning any of them', () => {
    expect(matches({ source: ['reelay.generator'] })).toBe(true);
    expect(matches({ source: ['reelay.api', 'reelay.generator'] })).toBe(true);
    expect(matches({ source: ['reelay.api'] })).toBe(false);
    expect(matches({ detail: { sceneIndex: [3] } })).toBe(true);
    expect(matches({ detail: { sceneIndex: ['3'] } })).toBe(false);
    expect(matches({ detail: { nullable: [null] } })).toBe(true);
    expect(matches({ detail: { empty: [''] } })).toBe(true);
  });

  it('requires every field of a nested object to match', () => {
    expect(
      matches({ source: ['reelay.generator'], detail: { kind: ['video'], meta: { userId: ['user-1'] } } }),
    ).toBe(true);
    expect(
      matches({ source: ['reelay.generator'], detail: { kind: ['video'], meta: { userId: ['user-2'] } } }),
    ).toBe(false);
  });

  it('matches an array in the event when any element matches', () => {
    expect(matches({ detail: { tags: ['hd'] } })).toBe(true);
    expect(matches({ detail: { tags: ['sd'] } })).toBe(false);
    expect(matches({ resources: [{ prefix: 'arn:aws:s3:::bucket/' }] })).toBe(true);
    expect(matches({ detail: { outputs: { format: ['webm'] } } })).toBe(true);
    expect(matches({ detail: { outputs: { format: ['gif'] } } })).toBe(false);
  });

  it('matches prefix, also ignoring case', () => {
    expect(matches({ source: [{ prefix: 'reelay.' }] })).toBe(true);
    expect(matches({ source: [{ prefix: 'Reelay.' }] })).toBe(false);
    expect(matches({ source: [{ prefix: { 'equals-ignore-case': 'REELAY.' } }] })).toBe(true);
  });

  it('matches suffix, also ignoring case', () => {
    expect(matches({ source: [{ suffix: '.generator' }] })).toBe(true);
    expect(matches({ source: [{ suffix: '.composer' }] })).toBe(false);
    expect(matches({ source: [{ suffix: { 'equals-ignore-case': '.GENERATOR' } }] })).toBe(true);
  });

  it('matches anything-but a value, a list, a prefix or a suffix', () => {
    expect(matches({ detail: { kind: [{ 'anything-but': 'image' }] } })).toBe(true);
    expect(matches({ detail: { kind: [{ 'anything-but': 'video' }] } })).toBe(false);
    expect(matches({ detail: { kind: [{ 'anything-but': ['image', 'music'] }] } })).toBe(true);
    expect(matches({ detail: { kind: [{ 'anything-but': ['video', 'music'] }] } })).toBe(false);
    expect(matches({ detail: { sceneIndex: [{ 'anything-but': [1, 2] }] } })).toBe(true);
    expect(matches({ source: [{ 'anything-but': { prefix: 'reelay.' } }] })).toBe(false);
    expect(matches({ source: [{ 'anything-but': { prefix: 'aws.' } }] })).toBe(true);
    expect(matches({ source: [{ 'anything-but': { suffix: '.generator' } }] })).toBe(false);
    expect(
      matches({ detail: { provider: [{ 'anything-but': { 'equals-ignore-case': ['replicate'] } }] } }),
    ).toBe(false);
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false);
  });

  it('matches numeric ranges with = < <= > >=', () => {
    expect(matches({ detail: { sceneIndex: [{ numeric: ['=', 3] }] } })).toBe(true);
    expect(matches({ detail: { sceneIndex: [{ numeric: ['>', 0, '<=', 3] }] } })).toBe(true);
    expect(matches({ detail: { sceneIndex: [{ numeric: ['>', 3] }] } })).toBe(false);
    expect(matches({ detail: { costUsd: [{ numeric: ['>=', 0.25, '<', 1] }] } })).toBe(true);
    expect(matches({ detail: { costUsd: [{ numeric: ['<', 0.25] }] } })).toBe(false);
    expect(matches({ detail: { kind: [{ numeric: ['>', 0] }] } })).toBe(false);
  });

  it('matches exists true only for present leaf fields and exists false only for absent ones', () => {
    expect(matches({ detail: { jobId: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { missing: [{ exists: true }] } })).toBe(false);
    expect(matches({ detail: { missing: [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { jobId: [{ exists: false }] } })).toBe(false);
    expect(matches({ detail: { meta: [{ exists: true }] } })).toBe(false);
    expect(matches({ 'replay-name': [{ exists: false }] })).toBe(true);
    expect(matches({ detail: { absentParent: { child: [{ exists: false }] } } })).toBe(true);
  });

  it('matches equals-ignore-case', () => {
    expect(matches({ detail: { provider: [{ 'equals-ignore-case': 'REPLICATE' }] } })).toBe(true);
    expect(matches({ detail: { provider: [{ 'equals-ignore-case': 'local' }] } })).toBe(false);
  });

  it('matches wildcards, with an escaped star as a literal', () => {
    expect(matches({ resources: [{ wildcard: 'arn:aws:s3:::*/jobs/*' }] })).toBe(true);
    expect(matches({ resources: [{ wildcard: 'arn:aws:s3:::*/uploads/*' }] })).toBe(false);
    expect(matchesEventPattern(parseEventPattern('{"a":[{"wildcard":"x\\\\*y"}]}'), { a: 'x*y' })).toBe(true);
    expect(matchesEventPattern(parseEventPattern('{"a":[{"wildcard":"x\\\\*y"}]}'), { a: 'xzy' })).toBe(
      false,
    );
  });

  it('matches cidr ranges of IPv4 addresses', () => {
    expect(matches({ detail: { sourceIp: [{ cidr: '10.0.0.0/16' }] } })).toBe(true);
    expect(matches({ detail: { sourceIp: [{ cidr: '10.1.0.0/16' }] } })).toBe(false);
  });

  it('matches $or when any alternative matches, alongside the other fields', () => {
    const either = {
      source: ['reelay.generator'],
      $or: [{ detail: { kind: ['image'] } }, { detail: { sceneIndex: [3] } }],
    };
    const neither = {
      source: ['reelay.generator'],
      $or: [{ detail: { kind: ['image'] } }, { detail: { sceneIndex: [4] } }],
    };
    expect(matches(either)).toBe(true);
    expect(matches(neither)).toBe(false);
  });

  it('refuses patterns that are not EventBridge syntax', () => {
    expect(() => parseEventPattern('not json')).toThrow(InvalidEventPatternError);
    expect(() => parseEventPattern('{"source":"reelay.api"}')).toThrow(InvalidEventPatternError);
    expect(() => parseEventPattern('{"source":[{"regex":"x"}]}')).toThrow(InvalidEventPatternError);
    expect(() => parseEventPattern('{"a":[{"numeric":[">"]}]}')).toThrow(InvalidEventPatternError);
    expect(() => parseEventPattern('{"a":[{"exists":"yes"}]}')).toThrow(InvalidEventPatternError);
    expect(() => parseEventPattern('{"$or":[{"a":["x"]}]}')).toThrow(InvalidEventPatternError);
  });
});
