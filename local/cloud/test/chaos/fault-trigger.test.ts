import {
  InvalidFaultOptionsError,
  isPredictionCreate,
  matchesFaultPoint,
  sideEffectOfCommand,
} from '../../src/chaos';
import { FaultTrigger } from '../../src/chaos/fault-trigger';

const fireMany = (trigger: FaultTrigger, occasions: number) =>
  Array.from({ length: occasions }, () => trigger.fire());

describe('when a fault fires', () => {
  it('fires once by default, then never again', () => {
    expect(fireMany(new FaultTrigger({}), 3)).toEqual([true, false, false]);
  });

  it('fires the chosen number of times', () => {
    expect(fireMany(new FaultTrigger({ times: 2 }), 4)).toEqual([true, true, false, false]);
  });

  it('fires with a probability that the same seed reproduces exactly', () => {
    // Act
    const first = fireMany(new FaultTrigger({ probability: 0.3, seed: 42 }), 200);
    const again = fireMany(new FaultTrigger({ probability: 0.3, seed: 42 }), 200);
    const otherSeed = fireMany(new FaultTrigger({ probability: 0.3, seed: 7 }), 200);

    // Assess
    expect(again).toEqual(first);
    expect(otherSeed).not.toEqual(first);
    const rate = first.filter(Boolean).length / first.length;
    expect(rate).toBeGreaterThan(0.2);
    expect(rate).toBeLessThan(0.4);
  });

  it('refuses a probability outside 0..1', () => {
    expect(() => new FaultTrigger({ probability: 1.5 })).toThrow(InvalidFaultOptionsError);
  });
});

describe('fault points', () => {
  it('match by exact point or with a wildcard per part', () => {
    expect(matchesFaultPoint('before:s3:PutObject', 'before:s3:PutObject')).toBe(true);
    expect(matchesFaultPoint('after:dynamodb:*', 'after:dynamodb:TransactWriteItems')).toBe(true);
    expect(matchesFaultPoint('*:events:PutEvents', 'after:events:PutEvents')).toBe(true);
    expect(matchesFaultPoint('before:s3:PutObject', 'after:s3:PutObject')).toBe(false);
  });

  it('are side effects only: writes are points, reads are not', () => {
    expect(sideEffectOfCommand('dynamodb', 'TransactWriteItemsCommand')).toBe('dynamodb:TransactWriteItems');
    expect(sideEffectOfCommand('eventbridge', 'PutEventsCommand')).toBe('events:PutEvents');
    expect(sideEffectOfCommand('s3', 'CopyObjectCommand')).toBe('s3:CopyObject');
    expect(sideEffectOfCommand('s3', 'GetObjectCommand')).toBeUndefined();
    expect(sideEffectOfCommand('dynamodb', 'QueryCommand')).toBeUndefined();
  });

  it("recognise Replicate's prediction creates and nothing else", () => {
    expect(isPredictionCreate('POST', 'http://127.0.0.1:9/v1/predictions')).toBe(true);
    expect(
      isPredictionCreate('POST', 'https://api.replicate.com/v1/models/wan-video/wan-2.2/predictions'),
    ).toBe(true);
    expect(isPredictionCreate('GET', 'http://127.0.0.1:9/v1/predictions')).toBe(false);
    expect(isPredictionCreate('POST', 'http://127.0.0.1:9/v1/predictions/abc/cancel')).toBe(false);
  });
});
