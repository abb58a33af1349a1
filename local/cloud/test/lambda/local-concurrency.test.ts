import { defaultLocalConcurrency } from '../../src/lambda/local-concurrency';

describe('the default concurrency of a local function', () => {
  it('is one sandbox per core, at least 2 and at most 4', () => {
    // Act / Assess
    expect([1, 2, 3, 4, 16].map((cores) => defaultLocalConcurrency(cores))).toEqual([2, 2, 3, 4, 4]);
  });
});
