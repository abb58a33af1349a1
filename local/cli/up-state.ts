import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

const upStateSchema = z.object({ api: z.url(), pid: z.number().int() });

const REPO_ROOT = resolve(__dirname, '../..');

/** Where `npm run up` says which API it runs, for `npm run jobs`. */
export const upStateFile = () => join(REPO_ROOT, '.reelay', 'up.json');

/** The API of the running `npm run up`, if its process is still alive. */
export function runningApi(): string | undefined {
  const file = upStateFile();
  if (!existsSync(file)) return undefined;
  const state = upStateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!state.success) return undefined;
  try {
    process.kill(state.data.pid, 0);
  } catch {
    return undefined;
  }
  return state.data.api;
}
