import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalFunction } from '../lambda/local-function';

/**
 * Which functions get a sandbox loading at start-up (about half a CPU-second each, the largest part of
 * a start) rather than at their first invocation, as Lambda cold-starts them:
 * - 'on-demand': none (the default: a test suite loads only the functions it uses);
 * - 'all': every function;
 * - 'used-last-run': those the last run on the same data folder invoked (every function when the
 *   folder has no record yet, or is a throwaway one). `npm start` runs one job at a time: its next
 *   run warms what a job used, not the series, operator and dead-letter functions a job never calls.
 *   A function outside the set still runs, after a cold start, exactly as it would have.
 */
export type WarmFunctions = 'on-demand' | 'all' | 'used-last-run';

/** In the data folder: the names of the functions the last run invoked. */
const RECORD_FILE = 'functions-used.json';

export function functionsToWarm(
  mode: WarmFunctions,
  functions: ReadonlyMap<string, LocalFunction>,
  data: { root: string; durable: boolean },
): LocalFunction[] {
  if (mode === 'on-demand') return [];
  const all = [...functions.values()];
  if (mode === 'all' || !data.durable) return all;
  const used = readUsed(data.root);
  return used ? all.filter((fn) => used.has(fn.config.name)) : all;
}

/** Records which functions this run invoked, for the next start's 'used-last-run' (durable folders only). */
export function recordFunctionsUsed(
  functions: ReadonlyMap<string, LocalFunction>,
  data: { root: string; durable: boolean },
): void {
  if (!data.durable) return;
  const used = [...functions.values()].filter((fn) => fn.invocations > 0).map((fn) => fn.config.name);
  // Nothing invoked (a start stopped at once): the last record still says more than this one.
  if (used.length === 0) return;
  const file = join(data.root, RECORD_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(used.sort(), null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

function readUsed(root: string): Set<string> | undefined {
  try {
    const names: unknown = JSON.parse(readFileSync(join(root, RECORD_FILE), 'utf8'));
    return Array.isArray(names) ? new Set(names.map(String)) : undefined;
  } catch {
    return undefined; // no record yet (or a damaged one): warm everything
  }
}
