import { availableParallelism } from 'node:os';
import { LocalFunction } from '../../src/lambda/local-function';
import { whenAllWarm } from '../../src/lambda/warm-up';

const localFunction = (name: string) =>
  new LocalFunction(
    {
      name,
      arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      handlerFile: require.resolve('./sandbox-handler.ts'),
      exportName: 'handler',
      env: {},
      timeoutSec: 60,
      memoryMb: 128,
      maxConcurrency: 3,
    },
    () => undefined,
    {},
  );

describe('warming functions left to start on demand', () => {
  const functions = ['a', 'b', 'c', 'd'].map((name) => localFunction(`warm-up-${name}`));
  afterAll(() => Promise.all(functions.map((fn) => fn.close())));

  it('loads one sandbox of each function that has none, one per core at a time', async () => {
    // Prepare: no function has a sandbox (a cloud that warms on demand).
    expect(functions.filter((fn) => fn.hasSandbox)).toHaveLength(0);

    // Act
    const warm = whenAllWarm(functions);
    const loadingAtOnce = functions.filter((fn) => fn.hasSandbox).length;
    await warm;

    // Assess: the first loads took the slots; every function ended with its handler loaded, once.
    expect(loadingAtOnce).toBe(Math.min(functions.length, availableParallelism()));
    expect(functions.map((fn) => fn.initDurationsMs.length)).toEqual([1, 1, 1, 1]);
    expect(functions.map((fn) => fn.invocations)).toEqual([0, 0, 0, 0]);
  }, 120_000);
});
