import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { functionsToWarm, recordFunctionsUsed } from '../../src/embedded/warm-set';
import type { LocalFunction } from '../../src/lambda/local-function';

/** Only what the warm set reads of a function: its name and how often it ran. */
const fakeFunction = (name: string, invocations = 0) =>
  ({ config: { name }, invocations }) as unknown as LocalFunction;
const byName = (fns: LocalFunction[]) => new Map(fns.map((fn) => [fn.config.name, fn]));
const names = (fns: LocalFunction[]) => fns.map((fn) => fn.config.name);

describe('which functions a start warms', () => {
  let root: string;
  beforeEach(() => {
    const parent = resolve(__dirname, '../../../../.reelay');
    mkdirSync(parent, { recursive: true });
    root = mkdtempSync(join(parent, 'test-warm-set-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("warms, on a data folder's next start, the functions its last run invoked; every one before any record", () => {
    // Prepare: a first run on the folder invokes two of three functions, then closes.
    const data = { root, durable: true };
    const firstRun = byName([fakeFunction('submit', 2), fakeFunction('plan', 1), fakeFunction('series', 0)]);
    const beforeAnyRecord = names(functionsToWarm('used-last-run', firstRun, data));
    recordFunctionsUsed(firstRun, data);

    // Act: the next start, with the same functions not yet invoked.
    const nextRun = byName([fakeFunction('submit'), fakeFunction('plan'), fakeFunction('series')]);
    const warmed = names(functionsToWarm('used-last-run', nextRun, data));

    // Assess
    expect(beforeAnyRecord).toEqual(['submit', 'plan', 'series']);
    expect(warmed).toEqual(['submit', 'plan']);
  });

  it('keeps the last record when a run invoked nothing, and records nothing for a throwaway folder', () => {
    // Prepare
    const data = { root, durable: true };
    recordFunctionsUsed(byName([fakeFunction('submit', 1), fakeFunction('plan')]), data);

    // Act: a start stopped before any invocation; a throwaway cloud that ran everything.
    recordFunctionsUsed(byName([fakeFunction('submit'), fakeFunction('plan')]), data);
    const throwaway = { root: join(root, 'throwaway'), durable: false };
    mkdirSync(throwaway.root);
    recordFunctionsUsed(byName([fakeFunction('submit', 1)]), throwaway);

    // Assess
    const functions = byName([fakeFunction('submit'), fakeFunction('plan')]);
    expect(names(functionsToWarm('used-last-run', functions, data))).toEqual(['submit']);
    expect(readdirSync(throwaway.root)).toEqual([]);
    expect(names(functionsToWarm('used-last-run', functions, throwaway))).toEqual(['submit', 'plan']);
  });

  it('warms none on demand and every one for all', () => {
    const data = { root, durable: true };
    recordFunctionsUsed(byName([fakeFunction('submit', 1)]), data);
    const functions = byName([fakeFunction('submit'), fakeFunction('plan')]);

    expect(functionsToWarm('on-demand', functions, data)).toEqual([]);
    expect(names(functionsToWarm('all', functions, data))).toEqual(['submit', 'plan']);
  });
});
